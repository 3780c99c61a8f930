/**
 * The four store errors every driver failure ends as, and the one table that decides which.
 *
 * A store's staff see exactly four messages (store manual, "テンキー利用時のエラー内容"); the driver
 * therefore reduces every device, protocol, OS and driver failure to one of them, keeping the precise
 * reason as a stable `reason` string for logs and support (`cause` in JSON). Cancellation is not a failure: it is
 * {@link TenkeyCancelledError}, outside the four.
 */
import {
  DeviceErrorCode, ProtocolError, ProtocolErrorCode, type DeviceErrorName, type ProtocolErrorCodeName,
} from '../protocol/index.js';
import { CodedError } from '../protocol/coded-error.js';
import { deviceText, printableText } from '../protocol/printable-text.js';

/** The four store errors. */
export type TenkeyErrorCode = 'CARD_SERVICE' | 'CONNECTION' | 'ENTRY_TIMEOUT' | 'TEMPORARY';

/** Every code {@link TenkeyError} may carry, in the order the store manual lists them. */
export const TENKEY_ERROR_CODES: readonly TenkeyErrorCode[] = ['CARD_SERVICE', 'CONNECTION', 'ENTRY_TIMEOUT', 'TEMPORARY'];

/** What a failure ends as: one of the four errors, or the separate cancellation outcome. */
export type TenkeyOutcome = TenkeyErrorCode | 'CANCELLED';

/** The store's messages, verbatim from the store manual, with an English rendering for logs and non-Japanese UIs. */
export const STORE_MESSAGES: Readonly<Record<TenkeyErrorCode, { readonly ja: string; readonly en: string }>> = {
  CARD_SERVICE: {
    ja: 'クレジットカードの利用サービスを確認ください。',
    en: 'Check the credit card service: this card cannot be used. Use another card or another payment method.',
  },
  CONNECTION: {
    ja: 'テンキーパッドの接続状況や設定を確認ください。',
    en: "Check the keypad's connection and settings.",
  },
  ENTRY_TIMEOUT: {
    ja: 'もう一度テンキーパッドからクレジットカード情報を入力ください。',
    en: 'Entry timed out. Enter the card details on the keypad again.',
  },
  TEMPORARY: {
    ja: '一時的なエラーが発生しました。不便をおかけし申し訳ございません。しばらく時間をおいても、改善されない場合にはお問い合わせフォームよりお問い合わせください。',
    en: 'A temporary error occurred. We apologise for the inconvenience. If it persists after a while, contact us through the inquiry form.',
  },
};

/**
 * tenkey's own wording for a cancelled entry, for UIs and logs that show one at all. NOT one of the store's
 * messages: the store manual has no message for cancellation (its popup simply closes on キャンセル), so
 * unlike {@link STORE_MESSAGES} this text is not verbatim from the manual and must not be presented as such.
 */
export const CANCELLED_MESSAGES = {
  ja: 'カード情報の入力をキャンセルしました。',
  en: 'Card entry was cancelled.',
} as const;

/** OS error codes the transports can meet (serial open/read/write, TCP connect/read/write, name lookup). */
export const OsErrorCode = [
  'ENOENT', 'EACCES', 'EPERM', 'EBUSY', 'EAGAIN', 'ENODEV', 'ENXIO', 'ENOTTY', 'EIO', 'EBADF', 'EISDIR',
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EINVAL',
] as const;
export type OsErrorCodeName = (typeof OsErrorCode)[number];

/** Failures the driver itself detects (settings, state, guards). */
export const DriverCause = {
  /** テンキーパッド入力 is switched off in the settings: the port is not touched. */
  DISABLED: 'DISABLED',
  /** 利用サービス names no known card service. */
  UNKNOWN_SERVICE: 'UNKNOWN_SERVICE',
  /** The device address is not a serial path or tcp://host:port. */
  BAD_ADDRESS: 'BAD_ADDRESS',
  /** Connecting (TCP connect or serial open) took longer than connectTimeoutMs. */
  CONNECT_TIMEOUT: 'CONNECT_TIMEOUT',
  /** The port opened and frames were ACKed, but no INFO answered HELLO. */
  NO_HELLO_ANSWER: 'NO_HELLO_ANSWER',
  /** The device speaks no protocol version this driver does. */
  VERSION_MISMATCH: 'VERSION_MISMATCH',
  /** The port or socket closed under the driver (unplugged keypad, dropped connection). */
  DISCONNECTED: 'DISCONNECTED',
  /** The keypad is between connections (automatic reconnect in progress). */
  NOT_CONNECTED: 'NOT_CONNECTED',
  /** `close()` was called. */
  CLOSED: 'CLOSED',
  /** readCard while another entry runs. */
  ENTRY_IN_PROGRESS: 'ENTRY_IN_PROGRESS',
  /** openTenkey or readCard options of the wrong type or out of range (a caller bug: the same class as the device's BAD_REQUEST). */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  /** The host's guard on one session (ENTRY_SESSION_CAP_S plus margin) ran out without an answer. */
  HOST_SESSION_LIMIT: 'HOST_SESSION_LIMIT',
  /** The keypad's STATUS says the entry ended, but its RESULT or ERROR never arrived (lost on the link). */
  RESULT_LOST: 'RESULT_LOST',
  /** The device sent something the session cannot use (e.g. RESULT for another session with nothing else). */
  UNEXPECTED_ANSWER: 'UNEXPECTED_ANSWER',
  /** A KEY, STATUS, RESULT or ERROR of the entry that its statechart cannot take (a field or state it cannot be in). */
  ENTRY_OUT_OF_STEP: 'ENTRY_OUT_OF_STEP',
  /** A failure nothing else describes (a bug). */
  UNKNOWN: 'UNKNOWN',
} as const;
export type DriverCauseName = keyof typeof DriverCause;

/** Every precise reason the driver reports; names are those of the layer that produced them. */
export type TenkeyErrorCause = DeviceErrorName | ProtocolErrorCodeName | OsErrorCodeName | DriverCauseName;

/** Where a cause comes from, for the rendered table and for support. */
export type TenkeyCauseSource = 'device' | 'protocol' | 'os' | 'driver';

export interface ErrorTableRow {
  readonly source: TenkeyCauseSource;
  readonly cause: TenkeyErrorCause;
  readonly outcome: TenkeyOutcome;
  /** Why this cause lands there, in one line (rendered into the README table). */
  readonly why: string;
}

const device = (cause: DeviceErrorName, outcome: TenkeyOutcome, why: string): ErrorTableRow => ({ source: 'device', cause, outcome, why });
const protocol = (cause: ProtocolErrorCodeName, outcome: TenkeyOutcome, why: string): ErrorTableRow => ({ source: 'protocol', cause, outcome, why });
const os = (cause: OsErrorCodeName, outcome: TenkeyOutcome, why: string): ErrorTableRow => ({ source: 'os', cause, outcome, why });
const driver = (cause: DriverCauseName, outcome: TenkeyOutcome, why: string): ErrorTableRow => ({ source: 'driver', cause, outcome, why });

/**
 * THE table: every cause the driver can meet → what the store shows. Unit tests check it covers every
 * DeviceErrorCode, ProtocolErrorCode, OsErrorCode and DriverCause exactly once.
 */
export const ERROR_TABLE: readonly ErrorTableRow[] = [
  device('INVALID_CARD', 'CARD_SERVICE', 'number failed the check digit on every allowed try'),
  device('EXPIRED_CARD', 'CARD_SERVICE', 'expiry date is in the past'),
  device('UNSUPPORTED_BRAND', 'CARD_SERVICE', 'brand not accepted by the card service'),
  device('TIMEOUT', 'ENTRY_TIMEOUT', 'no key pressed within the inactivity timeout'),
  device('SESSION_LIMIT', 'ENTRY_TIMEOUT', 'entry exceeded the overall session cap'),
  device('CANCELLED', 'CANCELLED', 'cancel key on the keypad, or CANCEL from the host'),
  device('BUSY', 'TEMPORARY', 'device already runs an entry (another host?)'),
  device('KEY_EXHAUSTED', 'TEMPORARY', 'DUKPT key counter exhausted: the keypad needs key injection'),
  device('BAD_REQUEST', 'TEMPORARY', 'device refused the request fields'),
  device('INTERNAL', 'TEMPORARY', 'device-internal failure'),
  device('UNSUPPORTED_VERSION', 'TEMPORARY', 'device refused the protocol version'),
  device('NO_SESSION', 'TEMPORARY', 'device knows no such session'),

  protocol('NO_ACK', 'CONNECTION', 'no ACK after every retransmission: the device is silent'),
  protocol('LINK_DEAD', 'CONNECTION', 'nothing valid heard for the keepalive limit: unplugged or powered off'),
  protocol('LINK_CLOSED', 'CONNECTION', 'the link closed under a pending frame (port lost)'),
  protocol('PEER_NOT_READING', 'CONNECTION', 'the keypad stopped reading what the driver sends: the connection is dropped'),
  protocol('QUEUE_FULL', 'CONNECTION', 'more messages wait for the keypad to acknowledge than the link allows'),
  protocol('NAK_RECEIVED', 'TEMPORARY', 'the device refused a frame after retries'),
  protocol('BAD_COBS', 'TEMPORARY', 'corrupt framing that retries did not repair'),
  protocol('BAD_CRC', 'TEMPORARY', 'corrupt frame that retries did not repair'),
  protocol('TOO_LONG', 'TEMPORARY', 'oversized frame'),
  protocol('TOO_SHORT', 'TEMPORARY', 'truncated frame'),
  protocol('BAD_LENGTH', 'TEMPORARY', 'length field disagrees with the frame'),
  protocol('UNKNOWN_TYPE', 'TEMPORARY', 'message type unknown to this driver'),
  protocol('UNSUPPORTED_VERSION', 'TEMPORARY', 'frame header version unsupported'),
  protocol('BAD_FLAGS', 'TEMPORARY', 'reserved header flags set'),
  protocol('BAD_PAYLOAD', 'TEMPORARY', 'field value outside its allowed set'),
  protocol('INVALID_MESSAGE', 'TEMPORARY', 'driver built a message it cannot encode (a bug)'),

  os('ENOENT', 'CONNECTION', 'no such serial device: wrong path or keypad not plugged in'),
  os('ENODEV', 'CONNECTION', 'device node without a device: keypad unplugged'),
  os('ENXIO', 'CONNECTION', 'device gone: keypad unplugged'),
  os('EACCES', 'CONNECTION', 'no permission to open the port (user not in the dialout group?)'),
  os('EPERM', 'CONNECTION', 'operation not permitted on the port'),
  os('EBUSY', 'CONNECTION', 'port held by another program'),
  os('EAGAIN', 'CONNECTION', 'port locked by another program'),
  os('ENOTTY', 'CONNECTION', 'path is not a serial port'),
  os('EISDIR', 'CONNECTION', 'path is a directory, not a serial port'),
  os('EINVAL', 'CONNECTION', 'port refused its settings'),
  os('EIO', 'CONNECTION', 'I/O error: keypad unplugged or port closed'),
  os('EBADF', 'CONNECTION', 'port handle closed'),
  os('ECONNREFUSED', 'CONNECTION', 'nothing listens at that IP and port'),
  os('ECONNRESET', 'CONNECTION', 'the keypad server dropped the connection'),
  os('ECONNABORTED', 'CONNECTION', 'the connection was aborted'),
  os('EPIPE', 'CONNECTION', 'wrote to a closed connection'),
  os('ETIMEDOUT', 'CONNECTION', 'the OS gave up connecting (no answer to SYN) before connectTimeoutMs ran out'),
  os('EHOSTUNREACH', 'CONNECTION', 'no route to that IP'),
  os('ENETUNREACH', 'CONNECTION', 'network unreachable'),
  os('EHOSTDOWN', 'CONNECTION', 'host is down'),
  os('ENETDOWN', 'CONNECTION', 'network is down'),
  os('EADDRNOTAVAIL', 'CONNECTION', 'address not available on this machine'),
  os('ENOTFOUND', 'CONNECTION', 'host name does not resolve'),
  os('EAI_AGAIN', 'CONNECTION', 'name lookup failed temporarily'),

  driver('DISABLED', 'CONNECTION', 'テンキーパッド入力 is OFF in the settings'),
  driver('UNKNOWN_SERVICE', 'CONNECTION', '利用サービス names no known card service'),
  driver('BAD_ADDRESS', 'CONNECTION', 'device address is neither a serial path nor tcp://host:port'),
  driver('CONNECT_TIMEOUT', 'CONNECTION', 'TCP connect or serial open took longer than connectTimeoutMs'),
  driver('NO_HELLO_ANSWER', 'CONNECTION', 'no INFO answered HELLO: not a tenkey keypad, or it is silent'),
  driver('VERSION_MISMATCH', 'CONNECTION', 'keypad speaks no protocol version this driver does'),
  driver('DISCONNECTED', 'CONNECTION', 'port or socket closed during use'),
  driver('NOT_CONNECTED', 'CONNECTION', 'keypad is reconnecting'),
  driver('CLOSED', 'CONNECTION', 'the keypad object was closed'),
  driver('ENTRY_IN_PROGRESS', 'TEMPORARY', 'another readCard is still running'),
  driver('INVALID_OPTIONS', 'TEMPORARY', 'openTenkey or readCard option of the wrong type or out of range (a caller bug)'),
  driver('HOST_SESSION_LIMIT', 'ENTRY_TIMEOUT', "the host's guard on one entry ran out"),
  driver('RESULT_LOST', 'TEMPORARY', "the keypad's STATUS says the entry ended, but its RESULT or ERROR was lost on the link"),
  driver('UNEXPECTED_ANSWER', 'TEMPORARY', 'the device answered out of turn'),
  driver('ENTRY_OUT_OF_STEP', 'TEMPORARY', "the keypad reported a key or state the entry statechart cannot take from where it is"),
  driver('UNKNOWN', 'TEMPORARY', 'anything unforeseen'),
];

const OUTCOME_BY_CAUSE: ReadonlyMap<string, TenkeyOutcome> = (() => {
  const map = new Map<string, TenkeyOutcome>();
  for (const row of ERROR_TABLE) {
    const known = map.get(row.cause);
    // A cause name shared by two layers (UNSUPPORTED_VERSION) must mean the same for the store.
    if (known !== undefined && known !== row.outcome) throw new Error(`ERROR_TABLE: ${row.cause} maps to ${known} and ${row.outcome}`);
    map.set(row.cause, row.outcome);
  }
  return map;
})();

/** The outcome the table gives a cause (TEMPORARY for a cause not in it). */
export function outcomeOf(cause: TenkeyErrorCause): TenkeyOutcome {
  return OUTCOME_BY_CAUSE.get(cause) ?? 'TEMPORARY';
}

/** Longest {@link TenkeyError.detail}: a line for logs, never a payload dump. */
const MAX_DETAIL_TEXT = 300;

/** Shared by the error and the cancellation so `toJSON` and the CLI print both the same way. */
export interface TenkeyErrorJson {
  code: TenkeyOutcome;
  message: string;
  messageJa: string;
  /** The error's `reason` (JSON keeps the field name `cause`, as documented in README and bridge/HTTP-API.md). */
  cause: TenkeyErrorCause;
  detail?: string;
}

/**
 * A driver failure, always one of the four store errors. `message` and `messageJa` are the store's
 * fixed texts (safe to show staff as they are); `reason` is the precise, stable reason; `detail` a short
 * technical line for logs; `cause` (the standard ES2022 `Error.cause`) what was thrown below the driver.
 * None of them ever holds card data.
 */
export class TenkeyError extends CodedError<TenkeyErrorCode> {
  /** The store's Japanese message, verbatim from the manual. */
  readonly messageJa: string;
  /**
   * Precise, stable reason (a DeviceErrorCode, ProtocolErrorCode, OS error code or DriverCause name): `code` says
   * which of the four store errors, `reason` why. `toJSON()` emits it as `cause` (the documented JSON field).
   */
  readonly reason: TenkeyErrorCause;
  /** Short technical line for logs (port path, host:port, device detail); never card data. */
  readonly detail: string | undefined;
  /**
   * What was thrown below the driver, as it was (the standard `Error.cause`): the OS or serialport error (with its
   * errno, syscall, path and full message) or the ProtocolError. For support and debugging; absent when the driver
   * itself found the failure. Never card data: those layers only ever see paths, addresses and frame facts. Not
   * enumerable, and not in `toJSON()`: JSON output carries no stack.
   */
  declare readonly cause: Error | undefined;

  constructor(code: TenkeyErrorCode, reason: TenkeyErrorCause, detail?: string, cause?: Error) {
    super(code, STORE_MESSAGES[code].en, cause === undefined ? undefined : { cause });
    this.messageJa = STORE_MESSAGES[code].ja;
    this.reason = reason;
    // The last line of defence: a detail that quotes input (a setting, an OS message with a path) is one line without a card number.
    this.detail = detail === undefined ? undefined : printableText(detail, MAX_DETAIL_TEXT);
  }

  /**
   * The error thrown below the driver under its old name: the same as {@link TenkeyError.cause}.
   * @deprecated Read `cause` (the standard `Error.cause`); `original` goes in the next release.
   */
  get original(): Error | undefined {
    return this.cause;
  }

  toJSON(): TenkeyErrorJson {
    return { code: this.code, message: this.message, messageJa: this.messageJa, cause: this.reason, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

/** Who ended the entry: the store UI / caller (cancel(), AbortSignal) or the person at the keypad (cancel key). */
export type CancelledBy = 'host' | 'keypad';

/**
 * The entry was cancelled: not a failure and not one of the four errors. readCard rejects with this
 * (as fetch rejects with an AbortError) so `await` keeps the success path linear; tell it apart with
 * {@link isTenkeyCancelled} or `error.code === 'CANCELLED'`.
 */
export class TenkeyCancelledError extends CodedError<'CANCELLED'> {
  /** tenkey's own wording ({@link CANCELLED_MESSAGES}), not a store manual message. */
  readonly messageJa: string = CANCELLED_MESSAGES.ja;
  /** As {@link TenkeyError.reason}; a cancellation has no `cause`. */
  readonly reason = 'CANCELLED' as const;

  constructor(readonly by: CancelledBy) {
    super('CANCELLED', by === 'keypad' ? `${CANCELLED_MESSAGES.en} (cancel key on the keypad)` : CANCELLED_MESSAGES.en);
  }

  toJSON(): TenkeyErrorJson {
    return { code: 'CANCELLED', message: this.message, messageJa: this.messageJa, cause: 'CANCELLED', detail: `cancelled by ${this.by}` };
  }
}

/** The contract's name for the cancellation outcome (BRIEF "Host driver API"). */
export { TenkeyCancelledError as EntryCancelledError };

export function isTenkeyError(e: unknown): e is TenkeyError {
  return e instanceof TenkeyError;
}

export function isTenkeyCancelled(e: unknown): e is TenkeyCancelledError {
  return e instanceof TenkeyCancelledError;
}

/** Builds the error the table gives `cause` (cancellation is not built here: it has its own class). */
export function tenkeyError(reason: TenkeyErrorCause, detail?: string, cause?: Error): TenkeyError {
  const outcome = outcomeOf(reason);
  return new TenkeyError(outcome === 'CANCELLED' ? 'TEMPORARY' : outcome, reason, detail, cause);
}

const OS_CODES: ReadonlySet<string> = new Set(OsErrorCode);
const PROTOCOL_CODES: ReadonlySet<string> = new Set(Object.keys(ProtocolErrorCode));
const DEVICE_CODES: ReadonlySet<string> = new Set(Object.keys(DeviceErrorCode));

// serialport's native binding reports errno only as strerror text ("Error: No such file or directory, cannot open …").
const STRERROR_TO_CODE: ReadonlyArray<readonly [RegExp, OsErrorCodeName]> = [
  [/No such file or directory/i, 'ENOENT'],
  [/Permission denied/i, 'EACCES'],
  [/Operation not permitted/i, 'EPERM'],
  [/Cannot lock port|Resource temporarily unavailable/i, 'EBUSY'],
  [/Device or resource busy/i, 'EBUSY'],
  [/Inappropriate ioctl for device/i, 'ENOTTY'],
  [/No such device or address/i, 'ENXIO'],
  [/No such device/i, 'ENODEV'],
  [/Input\/output error/i, 'EIO'],
  [/Bad file descriptor/i, 'EBADF'],
  [/Is a directory/i, 'EISDIR'],
  [/Invalid argument/i, 'EINVAL'],
];

/** The OS error code of a Node or serialport error, if it has one. */
export function osErrorCodeOf(e: unknown): OsErrorCodeName | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && OS_CODES.has(code)) return code as OsErrorCodeName;
  for (const [pattern, name] of STRERROR_TO_CODE) if (pattern.test(e.message)) return name;
  return undefined;
}

/** First line of an error message, cut short: details for logs, never a payload dump. */
function shortDetail(e: Error): string {
  return (e.message.split('\n')[0] ?? '').slice(0, 160);
}

/**
 * Turns anything thrown below the driver into one of the four errors (or passes a driver error or a
 * cancellation through). `fallback` names the cause when nothing more precise is known.
 */
export function toTenkeyError(e: unknown, fallback: TenkeyErrorCause = 'UNKNOWN'): TenkeyError | TenkeyCancelledError {
  if (e instanceof TenkeyError || e instanceof TenkeyCancelledError) return e;
  // The detail is one short line for logs and JSON; the whole error stays available as `cause`.
  if (e instanceof ProtocolError) return tenkeyError(e.code, shortDetail(e), e);
  const original = e instanceof Error ? e : undefined;
  const osCode = osErrorCodeOf(e);
  return tenkeyError(osCode ?? fallback, original ? shortDetail(original) : undefined, original);
}

/** The error for a device ERROR message (CANCELLED becomes the keypad-side cancellation). */
export function fromDeviceError(code: DeviceErrorName, detail: string): TenkeyError | TenkeyCancelledError {
  if (code === 'CANCELLED') return new TenkeyCancelledError('keypad');
  return tenkeyError(DEVICE_CODES.has(code) ? code : 'UNKNOWN', detail ? `device: ${deviceText(detail)}` : undefined);
}

/** True for causes produced by the protocol layer (used by tests and the rendered table). */
export function isProtocolCause(cause: string): cause is ProtocolErrorCodeName {
  return PROTOCOL_CODES.has(cause);
}
