/**
 * fast-check arbitraries for every tenkey message, reusable by any test that needs valid wire traffic.
 * Every value they produce is one the encoders accept, and decoding gives it back unchanged.
 */
import fc from 'fast-check';
import {
  BrandCode, DeviceErrorCode, EntryField, EntryNotice, EntryState, KeyClass, NakReason,
  KSN_SIZE, KEY_SET_ID_SIZE, MAX_REVEAL_DIGITS,
  type Brand, type EncodeFrameOptions, type Message, type MessageOf, type MessageTypeName,
} from '../../protocol/index.js';
import { MAX_DIGIT_COUNT, MAX_ERROR_DETAIL_BYTES, MAX_INFO_STRING_BYTES } from '../../protocol/field-rules.js';

const names = <T extends Record<string, number>>(table: T) => fc.constantFrom(...(Object.keys(table) as (keyof T & string)[]));

export const arbU8 = fc.integer({ min: 0, max: 0xff });
export const arbU16 = fc.integer({ min: 0, max: 0xffff });
export const arbU32 = fc.integer({ min: 0, max: 0xffffffff });
export const arbSeq = arbU8;

/** Brand sets as the decoder returns them: no duplicates, in code order, never 'unknown'. */
export const arbBrandSet: fc.Arbitrary<Brand[]> = fc.subarray(
  (Object.keys(BrandCode) as Brand[]).filter((b) => b !== 'unknown'),
);

const arbInfoString = fc.string({ unit: 'binary', maxLength: 24 })
  .filter((s) => Buffer.byteLength(s, 'utf8') <= MAX_INFO_STRING_BYTES);
const arbPrintableAscii = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: MAX_ERROR_DETAIL_BYTES,
});
const arbLast = fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: MAX_REVEAL_DIGITS });
const arbDigits = fc.integer({ min: 0, max: MAX_DIGIT_COUNT });
/** IV + 1..15 AES blocks (32–256 bytes); the crypto format of §7 makes 48. */
const arbEncryptedBlock = fc.integer({ min: 2, max: 16 })
  .chain((blocks) => fc.uint8Array({ minLength: blocks * 16, maxLength: blocks * 16 }));

export const arbitraryOf: { [T in MessageTypeName]: fc.Arbitrary<MessageOf<T>> } = {
  HELLO: fc.tuple(fc.integer({ min: 1, max: 0xff }), fc.integer({ min: 0, max: 0xfe }))
    .map(([min, extra]) => ({ type: 'HELLO' as const, minVersion: min, maxVersion: Math.min(0xff, min + extra) })),
  GET_INFO: fc.constant({ type: 'GET_INFO' as const }),
  START_ENTRY: fc.record({
    type: fc.constant('START_ENTRY' as const),
    sessionId: arbU32,
    inactivityTimeoutS: arbU16,
    reveal: fc.integer({ min: 0, max: MAX_REVEAL_DIGITS }),
    expiryRequired: fc.boolean(),
    acceptedBrands: arbBrandSet,
  }),
  CANCEL: fc.record({ type: fc.constant('CANCEL' as const), sessionId: arbU32 }),
  GET_STATUS: fc.constant({ type: 'GET_STATUS' as const }),
  PING: fc.record({ type: fc.constant('PING' as const), nonce: arbU32 }),
  RESET: fc.constant({ type: 'RESET' as const }),
  INFO: fc.record({
    type: fc.constant('INFO' as const),
    protocolVersion: fc.integer({ min: 1, max: 0xff }),
    model: arbInfoString,
    firmwareVersion: arbInfoString,
    serialNumber: arbInfoString,
    keySetId: fc.uint8Array({ minLength: KEY_SET_ID_SIZE, maxLength: KEY_SET_ID_SIZE }),
    acceptedBrands: arbBrandSet,
  }),
  STATUS: fc.record({
    type: fc.constant('STATUS' as const),
    state: names(EntryState),
    sessionId: arbU32,
    field: names(EntryField),
    digits: arbDigits,
    secondsLeft: arbU16,
    notice: names(EntryNotice),
  }),
  KEY: fc.record({
    type: fc.constant('KEY' as const),
    sessionId: arbU32,
    keyClass: names(KeyClass),
    field: names(EntryField),
    digits: arbDigits,
    notice: names(EntryNotice),
  }),
  RESULT: fc.record({
    type: fc.constant('RESULT' as const),
    sessionId: arbU32,
    brand: names(BrandCode),
    last: arbLast,
    keySerialNumber: fc.uint8Array({ minLength: KSN_SIZE, maxLength: KSN_SIZE }),
    encryptedBlock: arbEncryptedBlock,
  }),
  ERROR: fc.record({
    type: fc.constant('ERROR' as const),
    sessionId: arbU32,
    code: names(DeviceErrorCode),
    detail: arbPrintableAscii,
  }),
  PONG: fc.record({ type: fc.constant('PONG' as const), nonce: arbU32 }),
  ACK: fc.constant({ type: 'ACK' as const }),
  NAK: fc.record({ type: fc.constant('NAK' as const), reason: names(NakReason) }),
};

export const messageTypeNames = Object.keys(arbitraryOf) as MessageTypeName[];

/** Any message of any type. */
export const arbMessage: fc.Arbitrary<Message> = fc.oneof(
  ...messageTypeNames.map((t) => arbitraryOf[t] as fc.Arbitrary<Message>),
);

/** A message with everything encodeFrame needs (ACK/NAK get a direction). */
export interface FrameSpec { message: Message; seq: number; options: EncodeFrameOptions }

export const arbFrameSpec: fc.Arbitrary<FrameSpec> = fc.record({
  message: arbMessage,
  seq: arbSeq,
  retransmission: fc.boolean(),
  fromDevice: fc.boolean(),
}).map(({ message, seq, retransmission, fromDevice }) => ({
  message,
  seq,
  options: message.type === 'ACK' || message.type === 'NAK' ? { fromDevice, retransmission } : { retransmission },
}));
