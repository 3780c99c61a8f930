/**
 * Every tenkey message as a TypeScript discriminated union on `type`.
 * Wire codes and field layouts are normative in PROTOCOL.md §5.
 */

export const MessageType = {
  // host → device
  HELLO: 0x01,
  GET_INFO: 0x02,
  START_ENTRY: 0x03,
  CANCEL: 0x04,
  GET_STATUS: 0x05,
  PING: 0x06,
  RESET: 0x07,
  // device → host
  INFO: 0x81,
  STATUS: 0x82,
  KEY: 0x83,
  RESULT: 0x84,
  ERROR: 0x85,
  PONG: 0x86,
  // both directions
  ACK: 0xf0,
  NAK: 0xf1,
} as const;
export type MessageTypeName = keyof typeof MessageType;
export type MessageTypeCode = (typeof MessageType)[MessageTypeName];

/** Device error codes (ERROR.code). Closed list; PROTOCOL.md §5.12. */
export const DeviceErrorCode = {
  TIMEOUT: 0x01,
  CANCELLED: 0x02,
  INVALID_CARD: 0x03,
  EXPIRED_CARD: 0x04,
  UNSUPPORTED_BRAND: 0x05,
  BUSY: 0x06,
  KEY_EXHAUSTED: 0x07,
  BAD_REQUEST: 0x08,
  INTERNAL: 0x09,
  UNSUPPORTED_VERSION: 0x0a,
  NO_SESSION: 0x0b,
  SESSION_LIMIT: 0x0c,
} as const;
export type DeviceErrorName = keyof typeof DeviceErrorCode;

/** NAK reasons: why a well-framed message was refused. */
export const NakReason = {
  UNKNOWN_TYPE: 0x01,
  BAD_LENGTH: 0x02,
  BAD_PAYLOAD: 0x03,
  UNSUPPORTED_VERSION: 0x04,
  WRONG_DIRECTION: 0x05,
  NOT_READY: 0x06,
} as const;
export type NakReasonName = keyof typeof NakReason;

/** Key classes reported in KEY: never which digit. */
export const KeyClass = {
  DIGIT: 0x01,
  BACKSPACE: 0x02,
  CLEAR: 0x03,
  ENTER: 0x04,
  CANCEL: 0x05,
} as const;
export type KeyClassName = keyof typeof KeyClass;

/** Entry states reported in STATUS and KEY. */
export const EntryState = {
  IDLE: 0x00,
  PAN: 0x01,
  EXPIRY: 0x02,
  PROCESSING: 0x03,
  DONE: 0x04,
  TIMEOUT: 0x05,
  CANCELLED: 0x06,
  FAILED: 0x07,
} as const;
export type EntryStateName = keyof typeof EntryState;

/** Which field an entry is on. */
export const EntryField = {
  NONE: 0x00,
  PAN: 0x01,
  EXPIRY: 0x02,
} as const;
export type EntryFieldName = keyof typeof EntryField;

/** Device-side notice shown after a key (e.g. a number that failed Luhn); not an end of session. */
export const EntryNotice = {
  NONE: 0x00,
  INVALID_PAN: 0x01,
  INVALID_EXPIRY: 0x02,
  PAN_TOO_SHORT: 0x03,
  PAN_TOO_LONG: 0x04,
} as const;
export type EntryNoticeName = keyof typeof EntryNotice;

/**
 * Card brands on the wire. Names are credit-card-type's identifiers, so the host can hand them
 * straight to anything that speaks that library's vocabulary.
 */
export const BrandCode = {
  unknown: 0x00,
  visa: 0x01,
  mastercard: 0x02,
  'american-express': 0x03,
  'diners-club': 0x04,
  discover: 0x05,
  jcb: 0x06,
  unionpay: 0x07,
  maestro: 0x08,
  mir: 0x09,
  elo: 0x0a,
  hiper: 0x0b,
  hipercard: 0x0c,
} as const;
export type Brand = keyof typeof BrandCode;

/** HELLO: host offers a version range; the device answers with INFO carrying the chosen version. */
export interface HelloMessage { type: 'HELLO'; minVersion: number; maxVersion: number }
export interface GetInfoMessage { type: 'GET_INFO' }
export interface StartEntryMessage {
  type: 'START_ENTRY';
  /** u32, chosen by the host, echoed in every message of this session. */
  sessionId: number;
  /** u16 seconds of keypad inactivity before TIMEOUT; 0 = device default (60). */
  inactivityTimeoutS: number;
  /** u8 0–4: how many last PAN digits RESULT may reveal. */
  reveal: number;
  /** Whether the expiry (MMYY) is asked for. */
  expiryRequired: boolean;
  /** Brands the host's card service accepts, as a list; empty = the device's own configured set. */
  acceptedBrands: Brand[];
}
export interface CancelMessage { type: 'CANCEL'; sessionId: number }
export interface GetStatusMessage { type: 'GET_STATUS' }
export interface PingMessage { type: 'PING'; nonce: number }
export interface ResetMessage { type: 'RESET' }

export interface InfoMessage {
  type: 'INFO';
  /** Protocol version the device will speak on this link. */
  protocolVersion: number;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  /** 8 bytes: DUKPT initial key ID (BDK ID + derivation ID). */
  keySetId: Uint8Array;
  /** Brands the device is configured to accept. */
  acceptedBrands: Brand[];
}
export interface StatusMessage {
  type: 'STATUS';
  state: EntryStateName;
  /** 0 when no session ever ran. */
  sessionId: number;
  field: EntryFieldName;
  /** Digits in the current field: a count, never digits. */
  digits: number;
  /** Seconds left before the inactivity timeout; 0 when idle. */
  secondsLeft: number;
  notice: EntryNoticeName;
}
export interface KeyMessage {
  type: 'KEY';
  sessionId: number;
  keyClass: KeyClassName;
  /** Field after the key was applied. */
  field: EntryFieldName;
  /** Digit count in that field after the key. */
  digits: number;
  notice: EntryNoticeName;
}
export interface ResultMessage {
  type: 'RESULT';
  sessionId: number;
  brand: Brand;
  /** 0–4 ASCII digits, the last digits of the PAN as allowed by START_ENTRY.reveal. */
  last: string;
  /** 12 bytes. */
  keySerialNumber: Uint8Array;
  /** IV (16) + AES-128-CBC ciphertext; see PROTOCOL.md §7. */
  encryptedBlock: Uint8Array;
}
export interface ErrorMessage {
  type: 'ERROR';
  sessionId: number;
  code: DeviceErrorName;
  /** Short ASCII text for logs; never card data. */
  detail: string;
}
export interface PongMessage { type: 'PONG'; nonce: number }
/** ACK/NAK name the acknowledged frame's seq in the frame header; the payload repeats nothing. */
export interface AckMessage { type: 'ACK' }
export interface NakMessage { type: 'NAK'; reason: NakReasonName }

export type HostMessage =
  | HelloMessage | GetInfoMessage | StartEntryMessage | CancelMessage | GetStatusMessage | PingMessage | ResetMessage;
export type DeviceMessage =
  | InfoMessage | StatusMessage | KeyMessage | ResultMessage | ErrorMessage | PongMessage;
export type LinkMessage = AckMessage | NakMessage;
export type Message = HostMessage | DeviceMessage | LinkMessage;

export type MessageOf<T extends MessageTypeName> = Extract<Message, { type: T }>;

const HOST_TYPES: ReadonlySet<MessageTypeName> = new Set(['HELLO', 'GET_INFO', 'START_ENTRY', 'CANCEL', 'GET_STATUS', 'PING', 'RESET']);
const DEVICE_TYPES: ReadonlySet<MessageTypeName> = new Set(['INFO', 'STATUS', 'KEY', 'RESULT', 'ERROR', 'PONG']);

export function isHostMessage(m: Message): m is HostMessage { return HOST_TYPES.has(m.type); }
export function isDeviceMessage(m: Message): m is DeviceMessage { return DEVICE_TYPES.has(m.type); }
export function isLinkMessage(m: Message): m is LinkMessage { return m.type === 'ACK' || m.type === 'NAK'; }

/** Reverse lookup helper for the `as const` code tables above. */
export function nameOfCode<T extends Record<string, number>>(table: T, code: number): keyof T | undefined {
  for (const [name, value] of Object.entries(table)) if (value === code) return name as keyof T;
  return undefined;
}
