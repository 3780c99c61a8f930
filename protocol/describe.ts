/** Human and JSON views of messages, for logs, the CLI and captures. Never shows more than the wire carries. */
import { DEFAULT_INACTIVITY_TIMEOUT_S } from './constants.js';
import type { Message } from './messages.js';
import { deviceText } from './printable-text.js';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A device-chosen string (INFO's, ERROR's detail) in quotes, made printable: it may hold anything (§5.9). */
function quoted(s: string): string {
  return JSON.stringify(deviceText(s));
}

/** One line, e.g. `START_ENTRY session=42 timeout=60s reveal=3 expiry=yes brands=*`. */
export function describeMessage(message: Message): string {
  switch (message.type) {
    case 'HELLO':
      return `HELLO versions=${message.minVersion}..${message.maxVersion}`;
    case 'GET_INFO':
    case 'GET_STATUS':
    case 'RESET':
    case 'ACK':
      return message.type;
    case 'START_ENTRY': {
      const timeout = message.inactivityTimeoutS === 0
        ? `${DEFAULT_INACTIVITY_TIMEOUT_S}s(default)` : `${message.inactivityTimeoutS}s`;
      const brands = message.acceptedBrands.length === 0 ? '*' : message.acceptedBrands.join(',');
      return `START_ENTRY session=${message.sessionId} timeout=${timeout} reveal=${message.reveal} `
        + `expiry=${message.expiryRequired ? 'yes' : 'no'} brands=${brands}`;
    }
    case 'CANCEL':
      return `CANCEL session=${message.sessionId}`;
    case 'PING':
    case 'PONG':
      return `${message.type} nonce=${message.nonce}`;
    case 'INFO':
      return `INFO version=${message.protocolVersion} model=${quoted(message.model)} `
        + `firmware=${quoted(message.firmwareVersion)} serial=${quoted(message.serialNumber)} `
        + `keySet=${hex(message.keySetId)} brands=${message.acceptedBrands.length === 0 ? '-' : message.acceptedBrands.join(',')}`;
    case 'STATUS':
      return `STATUS state=${message.state} session=${message.sessionId} field=${message.field} digits=${message.digits} `
        + `left=${message.secondsLeft}s notice=${message.notice}`;
    case 'KEY':
      return `KEY session=${message.sessionId} key=${message.keyClass} field=${message.field} digits=${message.digits} `
        + `notice=${message.notice}`;
    case 'RESULT':
      return `RESULT session=${message.sessionId} brand=${message.brand} last=${message.last === '' ? '-' : message.last} `
        + `ksn=${hex(message.keySerialNumber)} block=${message.encryptedBlock.length}B`;
    case 'ERROR':
      return `ERROR session=${message.sessionId} code=${message.code} detail=${quoted(message.detail)}`;
    case 'NAK':
      return `NAK reason=${message.reason}`;
    default: {
      const unreachable: never = message;
      return `? ${String((unreachable as { type?: unknown }).type)}`;
    }
  }
}

/** A message with every byte array as a lowercase hex string: safe for JSON.stringify and back. */
export type JsonMessage<M extends Message = Message> =
  M extends Message ? { [K in keyof M]: M[K] extends Uint8Array ? string : M[K] } : never;

/** One message field as messageToJson writes it (byte arrays → lowercase hex). */
export function fieldToJson(value: unknown): unknown {
  return value instanceof Uint8Array ? hex(value) : Array.isArray(value) ? [...value] : value;
}

/** JSON-safe copy of a message (byte arrays → lowercase hex). */
export function messageToJson<M extends Message>(message: M): JsonMessage<M> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) out[key] = fieldToJson(value);
  return out as JsonMessage<M>;
}

/** Fields whose text the device chose (INFO strings, ERROR detail). */
const DEVICE_TEXT_FIELDS: ReadonlySet<string> = new Set(['model', 'firmwareVersion', 'serialNumber', 'detail']);

/** messageToJson for output (decode --json): the device's own strings made printable, as {@link describeMessage} shows them. */
export function messageToPrintableJson<M extends Message>(message: M): JsonMessage<M> {
  const json: Record<string, unknown> = messageToJson(message);
  for (const key of DEVICE_TEXT_FIELDS) if (typeof json[key] === 'string') json[key] = deviceText(json[key] as string);
  return json as JsonMessage<M>;
}

const BYTE_FIELDS: ReadonlySet<string> = new Set(['keySetId', 'keySerialNumber', 'encryptedBlock']);

/** Inverse of messageToJson (hex strings → Uint8Array). Fields are checked when the message is encoded. */
export function messageFromJson(json: JsonMessage): Message {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    out[key] = BYTE_FIELDS.has(key) && typeof value === 'string'
      ? new Uint8Array(Buffer.from(value, 'hex')) : Array.isArray(value) ? [...value] : value;
  }
  return out as unknown as Message;
}
