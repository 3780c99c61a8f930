/**
 * Payload → Message, one binary-parser Parser per message type (PROTOCOL.md §5). binary-parser
 * extracts the fields; the checks after it turn wire codes into names and enforce the field rules.
 * Throws ProtocolError BAD_LENGTH or BAD_PAYLOAD (decodeFrame adds the header details).
 */
import { Parser } from 'binary-parser';
import { compileParser, type CompiledParser } from './compiled-parser.js';
import { MAX_REVEAL_DIGITS, PROTOCOL_VERSION_MIN } from './constants.js';
import { isValidBrandMask, maskToBrands } from './brands.js';
import {
  brandNames, deviceErrorNames, entryFieldNames, entryNoticeNames, entryStateNames, keyClassNames, nakReasonNames,
  type CodeNames,
} from './code-tables.js';
import { ProtocolError, protocolError } from './errors.js';
import {
  KSN_SIZE, KEY_SET_ID_SIZE, MAX_DIGIT_COUNT, MAX_ERROR_DETAIL_BYTES, MAX_INFO_STRING_BYTES, MAX_LAST_DIGITS,
  OPTION_EXPIRY_REQUIRED, isAsciiDigits, isPrintableAscii, isValidEncryptedBlockLength,
} from './field-rules.js';
import type { Message, MessageTypeName } from './messages.js';

/** Every parser ends by recording how far it read, so short and over-long payloads are both caught. */
interface Parsed { end: number }

/**
 * Result object for every Parser. binary-parser's own parse() sets then deletes `$parent`/`$root` on its
 * result, and deleting a property pushes V8 into slow dictionary objects (3× slower parses); inert accessors
 * on the prototype absorb both without touching the object's shape. (compileParser strips those lines;
 * this still matters on its fallback path.)
 */
class ParsedFields {}
for (const contextKey of ['$parent', '$root']) {
  Object.defineProperty(ParsedFields.prototype, contextKey, { get: () => undefined, set: () => {}, configurable: false });
}
const fields = () => new Parser().create(ParsedFields);

/** What each Parser returns (wire codes, not yet names). */
interface HelloFields extends Parsed { minVersion: number; maxVersion: number }
interface StartEntryFields extends Parsed {
  sessionId: number;
  inactivityTimeoutS: number;
  reveal: number;
  options: number;
  acceptedBrands: number;
}
interface SessionIdFields extends Parsed { sessionId: number }
interface NonceFields extends Parsed { nonce: number }
interface InfoFields extends Parsed {
  protocolVersion: number;
  model: Uint8Array;
  firmwareVersion: Uint8Array;
  serialNumber: Uint8Array;
  keySetId: Uint8Array;
  acceptedBrands: number;
}
interface StatusFields extends Parsed {
  state: number;
  sessionId: number;
  field: number;
  digits: number;
  secondsLeft: number;
  notice: number;
}
interface KeyFields extends Parsed {
  sessionId: number;
  keyClass: number;
  field: number;
  digits: number;
  notice: number;
}
interface ResultFields extends Parsed {
  sessionId: number;
  brand: number;
  last: Uint8Array;
  keySerialNumber: Uint8Array;
  encryptedBlock: Uint8Array;
}
interface ErrorFields extends Parsed { sessionId: number; code: number; detail: Uint8Array }
interface NakFields extends Parsed { reason: number }

/**
 * A binary-parser Parser, compiled once to run on the DataView the caller passes (compiled-parser.ts), on first use:
 * compiling all of them at import is start-up time that a process decoding a few message types (`tenkey decode`)
 * or none (`tenkey --help`'s siblings) need not pay. Each is its own closure, so each call site stays monomorphic.
 */
function compiledOnFirstUse<T>(define: () => Parser): () => CompiledParser<T> {
  let compiled: CompiledParser<T> | undefined;
  return () => (compiled ??= compileParser<T>(define()));
}

const helloParser = compiledOnFirstUse<HelloFields>(() => fields().uint8('minVersion').uint8('maxVersion').saveOffset('end'));
const startEntryParser = compiledOnFirstUse<StartEntryFields>(() => fields()
  .uint32be('sessionId').uint16be('inactivityTimeoutS').uint8('reveal').uint8('options').uint16be('acceptedBrands')
  .saveOffset('end'));
const sessionIdParser = compiledOnFirstUse<SessionIdFields>(() => fields().uint32be('sessionId').saveOffset('end'));
const nonceParser = compiledOnFirstUse<NonceFields>(() => fields().uint32be('nonce').saveOffset('end'));
const infoParser = compiledOnFirstUse<InfoFields>(() => fields()
  .uint8('protocolVersion')
  .uint8('modelLength').buffer('model', { length: 'modelLength' })
  .uint8('firmwareVersionLength').buffer('firmwareVersion', { length: 'firmwareVersionLength' })
  .uint8('serialNumberLength').buffer('serialNumber', { length: 'serialNumberLength' })
  .buffer('keySetId', { length: KEY_SET_ID_SIZE })
  .uint16be('acceptedBrands')
  .saveOffset('end'));
const statusParser = compiledOnFirstUse<StatusFields>(() => fields()
  .uint8('state').uint32be('sessionId').uint8('field').uint8('digits').uint16be('secondsLeft').uint8('notice')
  .saveOffset('end'));
const keyParser = compiledOnFirstUse<KeyFields>(() => fields()
  .uint32be('sessionId').uint8('keyClass').uint8('field').uint8('digits').uint8('notice')
  .saveOffset('end'));
const resultParser = compiledOnFirstUse<ResultFields>(() => fields()
  .uint32be('sessionId').uint8('brand')
  .uint8('lastLength').buffer('last', { length: 'lastLength' })
  .buffer('keySerialNumber', { length: KSN_SIZE })
  .uint16be('encryptedBlockLength').buffer('encryptedBlock', { length: 'encryptedBlockLength' })
  .saveOffset('end'));
const errorParser = compiledOnFirstUse<ErrorFields>(() => fields()
  .uint32be('sessionId').uint8('code').uint8('detailLength').buffer('detail', { length: 'detailLength' })
  .saveOffset('end'));
const nakParser = compiledOnFirstUse<NakFields>(() => fields().uint8('reason').saveOffset('end'));

/** @internal Every compiled message parser (compiled when read), so a test can check none fell back to Parser.parse. */
export const messageParsers = {
  get HELLO() { return helloParser(); },
  get START_ENTRY() { return startEntryParser(); },
  get CANCEL() { return sessionIdParser(); },
  get PING() { return nonceParser(); },
  get PONG() { return nonceParser(); },
  get INFO() { return infoParser(); },
  get STATUS() { return statusParser(); },
  get KEY() { return keyParser(); },
  get RESULT() { return resultParser(); },
  get ERROR() { return errorParser(); },
  get NAK() { return nakParser(); },
} as const;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Short ASCII fields (already checked to be ASCII); cheaper than a TextDecoder call for a few bytes. */
function ascii(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function badPayload(what: string): never {
  throw protocolError('BAD_PAYLOAD', what);
}

/**
 * Checks a parser consumed exactly the payload. Variable-length buffers are cut short silently by
 * subarray, so comparing `end` catches truncation as well as trailing bytes.
 */
function exact<T extends Parsed>(parsed: T, payload: Uint8Array, typeName: MessageTypeName): T {
  if (parsed.end !== payload.length) {
    throw protocolError('BAD_LENGTH', `${typeName} payload is ${payload.length} bytes, fields need ${parsed.end}`);
  }
  return parsed;
}

function expectEmpty(payload: Uint8Array, typeName: MessageTypeName): void {
  if (payload.length !== 0) throw protocolError('BAD_LENGTH', `${typeName} payload must be empty, got ${payload.length} bytes`);
}

function named<N extends string>(table: CodeNames<N>, code: number, field: string): N {
  const name = table[code];
  if (name === undefined) badPayload(`${field}: unknown code 0x${code.toString(16).padStart(2, '0')}`);
  return name;
}

function brandsFromMask(mask: number): ReturnType<typeof maskToBrands> {
  if (!isValidBrandMask(mask)) badPayload(`acceptedBrands: mask 0x${mask.toString(16)} names no brand`);
  return maskToBrands(mask);
}

function digitCount(digits: number): number {
  if (digits > MAX_DIGIT_COUNT) badPayload(`digits: ${digits} > ${MAX_DIGIT_COUNT}`);
  return digits;
}

function infoString(bytes: Uint8Array, field: string): string {
  if (bytes.length > MAX_INFO_STRING_BYTES) badPayload(`${field}: longer than ${MAX_INFO_STRING_BYTES} bytes`);
  try {
    return utf8.decode(bytes);
  } catch {
    return badPayload(`${field}: not UTF-8`);
  }
}

/** Copies a view of the decoder's scratch buffer into a Uint8Array the message owns. */
function own(view: Uint8Array): Uint8Array {
  return new Uint8Array(view);
}

/**
 * Parses the payload of a message whose type is known. Throws ProtocolError BAD_LENGTH or BAD_PAYLOAD.
 * `view` (a DataView over exactly `payload`) lets a caller that decodes into a fixed scratch buffer reuse
 * one view per payload length instead of paying for a new DataView per message.
 */
export function parseMessageBody(
  typeName: MessageTypeName, payload: Uint8Array, view = new DataView(payload.buffer, payload.byteOffset, payload.length),
): Message {
  try {
    return parseFields(typeName, payload, view);
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    // binary-parser's DataView reads throw RangeError when the payload ends before a fixed-size field.
    throw protocolError('BAD_LENGTH', `${typeName} payload too short (${payload.length} bytes)`);
  }
}

/**
 * One small function per message type, dispatched by a switch: V8 optimises (and inlines the compiled
 * parser and lookups into) each on its own, where one big function with every case would not.
 */
function parseFields(typeName: MessageTypeName, payload: Uint8Array, view: DataView): Message {
  switch (typeName) {
    case 'HELLO': return parseHello(payload, view);
    case 'GET_INFO':
    case 'GET_STATUS':
    case 'RESET':
    case 'ACK':
      expectEmpty(payload, typeName);
      return { type: typeName };
    case 'START_ENTRY': return parseStartEntry(payload, view);
    case 'CANCEL': return parseCancel(payload, view);
    case 'PING':
    case 'PONG': return parseNonce(typeName, payload, view);
    case 'INFO': return parseInfo(payload, view);
    case 'STATUS': return parseStatus(payload, view);
    case 'KEY': return parseKey(payload, view);
    case 'RESULT': return parseResult(payload, view);
    case 'ERROR': return parseError(payload, view);
    case 'NAK': return parseNak(payload, view);
    default: {
      const unreachable: never = typeName;
      throw protocolError('UNKNOWN_TYPE', `no parser for ${String(unreachable)}`);
    }
  }
}

function parseHello(payload: Uint8Array, view: DataView): Message {
  const p = exact(helloParser().parse(payload, view), payload, 'HELLO');
  if (p.minVersion < PROTOCOL_VERSION_MIN) badPayload(`minVersion: ${p.minVersion} < ${PROTOCOL_VERSION_MIN}`);
  if (p.maxVersion < p.minVersion) badPayload(`maxVersion ${p.maxVersion} < minVersion ${p.minVersion}`);
  return { type: 'HELLO', minVersion: p.minVersion, maxVersion: p.maxVersion };
}

function parseStartEntry(payload: Uint8Array, view: DataView): Message {
  const p = exact(startEntryParser().parse(payload, view), payload, 'START_ENTRY');
  if (p.reveal > MAX_REVEAL_DIGITS) badPayload(`reveal: ${p.reveal} > ${MAX_REVEAL_DIGITS}`);
  if (p.options & ~OPTION_EXPIRY_REQUIRED) badPayload(`options: reserved bits set (0x${p.options.toString(16)})`);
  return {
    type: 'START_ENTRY',
    sessionId: p.sessionId,
    inactivityTimeoutS: p.inactivityTimeoutS,
    reveal: p.reveal,
    expiryRequired: (p.options & OPTION_EXPIRY_REQUIRED) !== 0,
    acceptedBrands: brandsFromMask(p.acceptedBrands),
  };
}

function parseCancel(payload: Uint8Array, view: DataView): Message {
  const p = exact(sessionIdParser().parse(payload, view), payload, 'CANCEL');
  return { type: 'CANCEL', sessionId: p.sessionId };
}

function parseNonce(typeName: 'PING' | 'PONG', payload: Uint8Array, view: DataView): Message {
  const p = exact(nonceParser().parse(payload, view), payload, typeName);
  return { type: typeName, nonce: p.nonce };
}

function parseInfo(payload: Uint8Array, view: DataView): Message {
  const p = exact(infoParser().parse(payload, view), payload, 'INFO');
  if (p.protocolVersion < PROTOCOL_VERSION_MIN) badPayload(`protocolVersion: ${p.protocolVersion}`);
  return {
    type: 'INFO',
    protocolVersion: p.protocolVersion,
    model: infoString(p.model, 'model'),
    firmwareVersion: infoString(p.firmwareVersion, 'firmwareVersion'),
    serialNumber: infoString(p.serialNumber, 'serialNumber'),
    keySetId: own(p.keySetId),
    acceptedBrands: brandsFromMask(p.acceptedBrands),
  };
}

function parseStatus(payload: Uint8Array, view: DataView): Message {
  const p = exact(statusParser().parse(payload, view), payload, 'STATUS');
  return {
    type: 'STATUS',
    state: named(entryStateNames, p.state, 'state'),
    sessionId: p.sessionId,
    field: named(entryFieldNames, p.field, 'field'),
    digits: digitCount(p.digits),
    secondsLeft: p.secondsLeft,
    notice: named(entryNoticeNames, p.notice, 'notice'),
  };
}

function parseKey(payload: Uint8Array, view: DataView): Message {
  const p = exact(keyParser().parse(payload, view), payload, 'KEY');
  return {
    type: 'KEY',
    sessionId: p.sessionId,
    keyClass: named(keyClassNames, p.keyClass, 'keyClass'),
    field: named(entryFieldNames, p.field, 'field'),
    digits: digitCount(p.digits),
    notice: named(entryNoticeNames, p.notice, 'notice'),
  };
}

function parseResult(payload: Uint8Array, view: DataView): Message {
  const p = exact(resultParser().parse(payload, view), payload, 'RESULT');
  if (p.last.length > MAX_LAST_DIGITS || !isAsciiDigits(p.last)) badPayload('last: not 0–4 ASCII digits');
  if (!isValidEncryptedBlockLength(p.encryptedBlock.length)) {
    badPayload(`encryptedBlock: ${p.encryptedBlock.length} bytes is not IV + whole AES blocks`);
  }
  return {
    type: 'RESULT',
    sessionId: p.sessionId,
    brand: named(brandNames, p.brand, 'brand'),
    last: ascii(p.last),
    keySerialNumber: own(p.keySerialNumber),
    encryptedBlock: own(p.encryptedBlock),
  };
}

function parseError(payload: Uint8Array, view: DataView): Message {
  const p = exact(errorParser().parse(payload, view), payload, 'ERROR');
  if (p.detail.length > MAX_ERROR_DETAIL_BYTES || !isPrintableAscii(p.detail)) {
    badPayload(`detail: not printable ASCII of at most ${MAX_ERROR_DETAIL_BYTES} bytes`);
  }
  return {
    type: 'ERROR',
    sessionId: p.sessionId,
    code: named(deviceErrorNames, p.code, 'code'),
    detail: ascii(p.detail),
  };
}

function parseNak(payload: Uint8Array, view: DataView): Message {
  const p = exact(nakParser().parse(payload, view), payload, 'NAK');
  return { type: 'NAK', reason: named(nakReasonNames, p.reason, 'reason') };
}
