/** tenkey host driver: what a store backend imports. */
export { openTenkey, DEFAULT_CONNECT_TIMEOUT_MS } from './open-tenkey.js';
export { TenkeyKeypad } from './tenkey-keypad.js';
export type { OpenTenkeyOptions, ReadCardOptions, LinkTimingOptions } from './options.js';
export { DEFAULT_DEVICE_ADDRESS } from './options.js';
export type { CardReadResult, DeviceInfo } from './results.js';
export type { EntryProgress, ConnectionEvent, ConnectionStatus, TenkeyKeypadEvents } from './events.js';
export {
  TenkeyError, TenkeyCancelledError, EntryCancelledError, isTenkeyError, isTenkeyCancelled, toTenkeyError, tenkeyError, outcomeOf,
  ERROR_TABLE, STORE_MESSAGES, CANCELLED_MESSAGES, TENKEY_ERROR_CODES, OsErrorCode, DriverCause,
} from './errors.js';
export type {
  TenkeyErrorCode, TenkeyOutcome, TenkeyErrorCause, TenkeyErrorJson, ErrorTableRow, CancelledBy, OsErrorCodeName, DriverCauseName,
  TenkeyCauseSource,
} from './errors.js';
export { CARD_SERVICES, findCardService, acceptedBrandsOf, type CardService } from './services.js';
export { silentLogger, streamLogger, type TenkeyLogger, type LogFields, type LogLevel } from './logger.js';
export type { BackoffOptions } from './backoff.js';
export type {
  Brand, EntryStateName, EntryFieldName, EntryNoticeName, KeyClassName, DeviceErrorName, ProtocolErrorCodeName, Clock,
} from '../protocol/index.js';
