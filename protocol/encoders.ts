/**
 * Message → payload bytes, one hand-written encoder per message type (binary-parser only decodes).
 * Every field is checked; a message that cannot go on the wire throws ProtocolError INVALID_MESSAGE,
 * which is a programming error in the caller, never a wire condition. PROTOCOL.md §5.
 */
import { MAX_REVEAL_DIGITS, PROTOCOL_VERSION_MIN } from './constants.js';
import { brandsToMask } from './brands.js';
import { protocolError } from './errors.js';
import {
  KSN_SIZE, KEY_SET_ID_SIZE, MAX_DIGIT_COUNT, MAX_ERROR_DETAIL_BYTES, MAX_INFO_STRING_BYTES, MAX_LAST_DIGITS,
  OPTION_EXPIRY_REQUIRED, isAsciiDigits, isPrintableAscii, isValidEncryptedBlockLength,
} from './field-rules.js';
import {
  BrandCode, DeviceErrorCode, EntryField, EntryNotice, EntryState, KeyClass, NakReason, type Message,
} from './messages.js';

function invalid(type: string, what: string): never {
  throw protocolError('INVALID_MESSAGE', `${type}: ${what}`);
}

function uint(type: string, field: string, value: unknown, max: number, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(type, `${field} must be an integer ${min}–${max}, got ${String(value)}`);
  }
  return value;
}

function code<T extends Record<string, number>>(type: string, field: string, table: T, name: unknown): number {
  if (typeof name !== 'string' || !Object.hasOwn(table, name)) invalid(type, `${field}: unknown name ${String(name)}`);
  return table[name]!;
}

function bytes(type: string, field: string, value: unknown, sizeOk: (n: number) => boolean, rule: string): Uint8Array {
  if (!(value instanceof Uint8Array) || !sizeOk(value.length)) invalid(type, `${field} must be ${rule}`);
  return value;
}

function utf8String(type: string, field: string, value: unknown, maxBytes: number): Buffer {
  if (typeof value !== 'string') invalid(type, `${field} must be a string`);
  const encoded = Buffer.from(value, 'utf8');
  // Lone surrogates would be replaced by U+FFFD and come back different.
  if (encoded.length > maxBytes || encoded.toString('utf8') !== value) {
    invalid(type, `${field} must be well-formed UTF-8 of at most ${maxBytes} bytes`);
  }
  return encoded;
}

function asciiString(type: string, field: string, value: unknown, maxBytes: number, ok: (b: Uint8Array) => boolean): Buffer {
  if (typeof value !== 'string') invalid(type, `${field} must be a string`);
  const encoded = Buffer.from(value, 'latin1');
  if (encoded.length > maxBytes || encoded.toString('latin1') !== value || !ok(encoded)) {
    invalid(type, `${field} does not meet its rule (at most ${maxBytes} ASCII bytes)`);
  }
  return encoded;
}

function brandMask(type: string, brands: unknown): number {
  if (!Array.isArray(brands)) invalid(type, 'acceptedBrands must be an array');
  try {
    return brandsToMask(brands);
  } catch (e) {
    return invalid(type, (e as Error).message);
  }
}

/** Small writer over a Buffer sized exactly for the payload. */
class PayloadWriter {
  private offset = 0;
  constructor(readonly buffer: Buffer) {}
  u8(v: number): this { this.buffer[this.offset++] = v; return this; }
  u16(v: number): this { this.buffer.writeUInt16BE(v, this.offset); this.offset += 2; return this; }
  u32(v: number): this { this.buffer.writeUInt32BE(v, this.offset); this.offset += 4; return this; }
  raw(b: Uint8Array): this { this.buffer.set(b, this.offset); this.offset += b.length; return this; }
  /** u8 length + bytes. */
  str8(b: Uint8Array): this { return this.u8(b.length).raw(b); }
}

const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffffffff;
const EMPTY = Buffer.alloc(0);

/** Encodes the payload of `message` (header and CRC are added by encodeFrame). */
export function encodeMessagePayload(message: Message): Buffer {
  const t = message.type;
  switch (message.type) {
    case 'HELLO': {
      const min = uint(t, 'minVersion', message.minVersion, U8, PROTOCOL_VERSION_MIN);
      const max = uint(t, 'maxVersion', message.maxVersion, U8, min);
      return new PayloadWriter(Buffer.alloc(2)).u8(min).u8(max).buffer;
    }
    case 'GET_INFO':
    case 'GET_STATUS':
    case 'RESET':
    case 'ACK':
      return EMPTY;
    case 'START_ENTRY': {
      const sessionId = uint(t, 'sessionId', message.sessionId, U32);
      const timeout = uint(t, 'inactivityTimeoutS', message.inactivityTimeoutS, U16);
      const reveal = uint(t, 'reveal', message.reveal, MAX_REVEAL_DIGITS);
      if (typeof message.expiryRequired !== 'boolean') invalid(t, 'expiryRequired must be a boolean');
      const mask = brandMask(t, message.acceptedBrands);
      return new PayloadWriter(Buffer.alloc(10))
        .u32(sessionId).u16(timeout).u8(reveal).u8(message.expiryRequired ? OPTION_EXPIRY_REQUIRED : 0).u16(mask).buffer;
    }
    case 'CANCEL':
      return new PayloadWriter(Buffer.alloc(4)).u32(uint(t, 'sessionId', message.sessionId, U32)).buffer;
    case 'PING':
    case 'PONG':
      return new PayloadWriter(Buffer.alloc(4)).u32(uint(t, 'nonce', message.nonce, U32)).buffer;
    case 'INFO': {
      const version = uint(t, 'protocolVersion', message.protocolVersion, U8, PROTOCOL_VERSION_MIN);
      const model = utf8String(t, 'model', message.model, MAX_INFO_STRING_BYTES);
      const firmware = utf8String(t, 'firmwareVersion', message.firmwareVersion, MAX_INFO_STRING_BYTES);
      const serial = utf8String(t, 'serialNumber', message.serialNumber, MAX_INFO_STRING_BYTES);
      const keySetId = bytes(t, 'keySetId', message.keySetId, (n) => n === KEY_SET_ID_SIZE, `${KEY_SET_ID_SIZE} bytes`);
      const mask = brandMask(t, message.acceptedBrands);
      const size = 1 + 1 + model.length + 1 + firmware.length + 1 + serial.length + KEY_SET_ID_SIZE + 2;
      return new PayloadWriter(Buffer.alloc(size))
        .u8(version).str8(model).str8(firmware).str8(serial).raw(keySetId).u16(mask).buffer;
    }
    case 'STATUS':
      return new PayloadWriter(Buffer.alloc(10))
        .u8(code(t, 'state', EntryState, message.state))
        .u32(uint(t, 'sessionId', message.sessionId, U32))
        .u8(code(t, 'field', EntryField, message.field))
        .u8(uint(t, 'digits', message.digits, MAX_DIGIT_COUNT))
        .u16(uint(t, 'secondsLeft', message.secondsLeft, U16))
        .u8(code(t, 'notice', EntryNotice, message.notice)).buffer;
    case 'KEY':
      return new PayloadWriter(Buffer.alloc(8))
        .u32(uint(t, 'sessionId', message.sessionId, U32))
        .u8(code(t, 'keyClass', KeyClass, message.keyClass))
        .u8(code(t, 'field', EntryField, message.field))
        .u8(uint(t, 'digits', message.digits, MAX_DIGIT_COUNT))
        .u8(code(t, 'notice', EntryNotice, message.notice)).buffer;
    case 'RESULT': {
      const sessionId = uint(t, 'sessionId', message.sessionId, U32);
      const brand = code(t, 'brand', BrandCode, message.brand);
      const last = asciiString(t, 'last', message.last, MAX_LAST_DIGITS, isAsciiDigits);
      const ksn = bytes(t, 'keySerialNumber', message.keySerialNumber, (n) => n === KSN_SIZE, `${KSN_SIZE} bytes`);
      const block = bytes(t, 'encryptedBlock', message.encryptedBlock, isValidEncryptedBlockLength,
        'IV + whole AES blocks (32–256 bytes, a multiple of 16)');
      return new PayloadWriter(Buffer.alloc(4 + 1 + 1 + last.length + KSN_SIZE + 2 + block.length))
        .u32(sessionId).u8(brand).str8(last).raw(ksn).u16(block.length).raw(block).buffer;
    }
    case 'ERROR': {
      const sessionId = uint(t, 'sessionId', message.sessionId, U32);
      const errorCode = code(t, 'code', DeviceErrorCode, message.code);
      const detail = asciiString(t, 'detail', message.detail, MAX_ERROR_DETAIL_BYTES, isPrintableAscii);
      return new PayloadWriter(Buffer.alloc(4 + 1 + 1 + detail.length)).u32(sessionId).u8(errorCode).str8(detail).buffer;
    }
    case 'NAK':
      return new PayloadWriter(Buffer.alloc(1)).u8(code(t, 'reason', NakReason, message.reason)).buffer;
    default: {
      const unreachable: never = message;
      return invalid(String((unreachable as { type?: unknown }).type), 'unknown message type');
    }
  }
}
