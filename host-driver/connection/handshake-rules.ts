/**
 * What the HELLO → INFO handshake concludes from what happened (PROTOCOL.md §6.5, §7): pure functions the
 * connection machine calls in its guards and assignments.
 */
import {
  PROTOCOL_VERSION, PROTOCOL_VERSION_MIN, type DeviceErrorName, type HelloMessage, type InfoMessage,
} from '../../protocol/index.js';
import { redactDigits } from '../../protocol/redact-digits.js';
import { fromDeviceError, tenkeyError, toTenkeyError, TenkeyError, type TenkeyErrorCause } from '../errors.js';

export const HELLO: HelloMessage = { type: 'HELLO', minVersion: PROTOCOL_VERSION_MIN, maxVersion: PROTOCOL_VERSION };

/** What the handshake has learnt so far, for choosing the error that names a failure best. */
export interface HelloProgress {
  /** Some HELLO was ACKed: the keypad is there. */
  acknowledged: boolean;
  /** The last HELLO that failed for lack of an ACK. */
  lastNoAck: TenkeyError | undefined;
}

/** Any failure as a TenkeyError (a cancellation cannot end a handshake: it is reported as UNKNOWN). */
export function asTenkeyError(e: unknown, fallback: TenkeyErrorCause = 'UNKNOWN'): TenkeyError {
  const error = toTenkeyError(e, fallback);
  return error instanceof TenkeyError ? error : tenkeyError('UNKNOWN', error.message, error);
}

export function isSupportedVersion(info: InfoMessage): boolean {
  return info.protocolVersion >= PROTOCOL_VERSION_MIN && info.protocolVersion <= PROTOCOL_VERSION;
}

export function versionMismatch(info: InfoMessage): TenkeyError {
  return tenkeyError('VERSION_MISMATCH', `keypad chose protocol version ${info.protocolVersion}`);
}

/** Only a HELLO that was never acknowledged is worth saying again; a NAK or a closed link is final. */
export function isNoAck(e: unknown): boolean {
  return asTenkeyError(e).reason === 'NO_ACK';
}

/** ERROR for session 0 in answer to HELLO: UNSUPPORTED_VERSION, or BUSY (another host holds the keypad). */
export function refusal(code: DeviceErrorName, detail: string): TenkeyError {
  const error = fromDeviceError(code, redactDigits(detail));
  return error instanceof TenkeyError ? error : tenkeyError('UNEXPECTED_ANSWER', `${code} in answer to HELLO`);
}

/** The deadline passed: a keypad that never ACKed is best named by its NO_ACK, one that did by NO_HELLO_ANSWER. */
export function deadlineError(progress: HelloProgress, address: string, timeoutMs: number): TenkeyError {
  return !progress.acknowledged && progress.lastNoAck !== undefined
    ? progress.lastNoAck
    : tenkeyError('NO_HELLO_ANSWER', `no INFO from ${address} within ${timeoutMs} ms`);
}

/** Lost mid-handshake. Silence until the link gave up: NO_ACK names it better than LINK_DEAD (nothing was ever acknowledged). */
export function lossError(progress: HelloProgress, error: TenkeyError): TenkeyError {
  return !progress.acknowledged && progress.lastNoAck !== undefined && error.reason === 'LINK_DEAD' ? progress.lastNoAck : error;
}
