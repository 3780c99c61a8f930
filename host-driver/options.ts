/**
 * Options of openTenkey and readCard. openTenkey's mirror the store's settings screen (重要項目設定):
 * テンキーパッド入力 (enabled), 利用サービス (service) and the keypad's address, whose default works.
 */
import {
  DEFAULT_INACTIVITY_TIMEOUT_S, DEFAULT_REVEAL_DIGITS, DEFAULT_TCP_HOST, DEFAULT_TCP_PORT, ENTRY_SESSION_CAP_S, MAX_REVEAL_DIGITS,
  type Clock,
} from '../protocol/index.js';
import type { BackoffOptions } from './backoff.js';
import type { TenkeyLogger } from './logger.js';

/** The default address: a keypad server on this PC at the default port (the settings screen's defaults). */
export const DEFAULT_DEVICE_ADDRESS = `tcp://${DEFAULT_TCP_HOST}:${DEFAULT_TCP_PORT}`;

/** Link-layer timing overrides (PROTOCOL.md §6 defaults); mainly for tests and slow links. */
export interface LinkTimingOptions {
  /** Wait for an ACK this long before retransmitting (ms). */
  ackTimeoutMs?: number;
  /** Retransmissions before NO_ACK. */
  maxRetransmissions?: number;
  /** Send PING when the link was idle this long (ms): a vanished port is noticed without waiting for the next entry. `false` turns keepalive off. */
  pingIntervalMs?: number | false;
  /** Declare the link dead after this long with nothing valid heard (ms), or `false` never to. */
  deadAfterMs?: number | false;
}

export interface OpenTenkeyOptions {
  /**
   * Where the keypad is: a serial device (`/dev/ttyUSB0`, `COM3`, the simulator's PTY) or
   * `tcp://HOST:PORT` (プライベートIPとポート番号). Default `tcp://127.0.0.1:7780`.
   */
  device?: string;
  /** テンキーパッド入力 ON/OFF. When false, openTenkey fails with CONNECTION (cause DISABLED) without touching the port. Default true. */
  enabled?: boolean;
  /** 利用サービス: a card service id or Japanese name (see CARD_SERVICES); decides the accepted brands. Default: the keypad's own set. */
  service?: string;
  /** Timers for the link, entry guards and reconnect backoff. Default systemClock. */
  clock?: Clock;
  /** Where log lines go. Default silent. */
  logger?: TenkeyLogger;
  /** Reconnect automatically when the port or socket goes away (bounded exponential backoff), or `false` to stay down. Default on. */
  reconnect?: BackoffOptions | false;
  /** Opening the port/socket and the HELLO → INFO handshake must finish within this (ms). Default 3000. */
  connectTimeoutMs?: number;
  /** Serial line speed (ignored for TCP). Default 115200. */
  baudRate?: number;
  /** Link timing overrides. */
  link?: LinkTimingOptions;
}

export interface ReadCardOptions {
  /** Seconds of keypad inactivity before the entry ends with ENTRY_TIMEOUT (1–300). Default 60. */
  timeoutSeconds?: number;
  /** How many last PAN digits the result may reveal (0–4). Default 3, as the store's confirmation page shows. */
  reveal?: number;
  /** Whether the keypad asks for the expiry date (MMYY). Default true. */
  expiryRequired?: boolean;
  /** Aborting cancels the entry (CANCEL to the keypad) and rejects with TenkeyCancelledError. */
  signal?: AbortSignal;
}

/** readCard options with defaults applied, or the name of the first bad one. */
export type ResolvedReadCardOptions = { timeoutSeconds: number; reveal: number; expiryRequired: boolean };

export function resolveReadCardOptions(options: ReadCardOptions): ResolvedReadCardOptions | { invalid: string } {
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_INACTIVITY_TIMEOUT_S;
  const reveal = options.reveal ?? DEFAULT_REVEAL_DIGITS;
  const expiryRequired = options.expiryRequired ?? true;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > ENTRY_SESSION_CAP_S) {
    return { invalid: `timeoutSeconds must be an integer from 1 to ${ENTRY_SESSION_CAP_S}` };
  }
  if (!Number.isInteger(reveal) || reveal < 0 || reveal > MAX_REVEAL_DIGITS) {
    return { invalid: `reveal must be an integer from 0 to ${MAX_REVEAL_DIGITS}` };
  }
  if (typeof expiryRequired !== 'boolean') return { invalid: 'expiryRequired must be a boolean' };
  return { timeoutSeconds, reveal, expiryRequired };
}
