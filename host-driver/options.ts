/**
 * Options of openTenkey and readCard. openTenkey's mirror the store's settings screen (重要項目設定):
 * テンキーパッド入力 (enabled), 利用サービス (service) and the keypad's address, whose default works.
 */
import {
  DEFAULT_INACTIVITY_TIMEOUT_S, DEFAULT_REVEAL_DIGITS, DEFAULT_TCP_HOST, DEFAULT_TCP_PORT, ENTRY_SESSION_CAP_S, MAX_REVEAL_DIGITS,
  type Clock,
} from '../protocol/index.js';
import { MAX_TIMER_MS } from '../protocol/constants.js';
import { resolveLinkOptions } from '../protocol/link-options.js';
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
  /**
   * Shorten each keepalive wait by a random share of up to this fraction (0 ≤ j < 1, e.g. 0.2; PROTOCOL.md §6.4), so a
   * process that opens many keypads at once never PINGs them all in one burst. Default 0: PINGs keep the even
   * cadence that `tenkey replay --against host` reproduces.
   */
  pingJitter?: number;
}

export interface OpenTenkeyOptions {
  /**
   * Where the keypad is: a serial device (`/dev/ttyUSB0`, `COM3`, the simulator's PTY) or
   * `tcp://HOST:PORT` (プライベートIPとポート番号). Default `tcp://127.0.0.1:7780`.
   */
  device?: string;
  /** テンキーパッド入力 ON/OFF. When false, openTenkey fails with CONNECTION (reason DISABLED) without touching the port. Default true. */
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
  /** 利用サービス for this entry only (a card service id or name): overrides openTenkey's `service`. Unknown → CONNECTION / UNKNOWN_SERVICE. */
  service?: string;
}

/** readCard options with defaults applied (the signal and service are checked for type and kept apart). */
export type ResolvedReadCardOptions = { timeoutSeconds: number; reveal: number; expiryRequired: boolean };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * readCard options checked and defaulted, or the first bad one described. Takes `unknown`: JavaScript callers
 * and JSON configs pass anything (null, a plain object as signal), and each such mistake must come back as one
 * clear INVALID_OPTIONS, not a TypeError from deep inside.
 */
export function resolveReadCardOptions(
  options: unknown,
): (ResolvedReadCardOptions & { signal: AbortSignal | undefined; service: string | undefined }) | { invalid: string } {
  if (options === undefined) options = {};
  if (!isObject(options)) return { invalid: 'readCard options must be an object' };
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_INACTIVITY_TIMEOUT_S;
  const reveal = options.reveal ?? DEFAULT_REVEAL_DIGITS;
  const expiryRequired = options.expiryRequired ?? true;
  const signal = options.signal;
  const service = options.service;
  if (typeof timeoutSeconds !== 'number' || !Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > ENTRY_SESSION_CAP_S) {
    return { invalid: `timeoutSeconds must be an integer from 1 to ${ENTRY_SESSION_CAP_S}` };
  }
  if (typeof reveal !== 'number' || !Number.isInteger(reveal) || reveal < 0 || reveal > MAX_REVEAL_DIGITS) {
    return { invalid: `reveal must be an integer from 0 to ${MAX_REVEAL_DIGITS}` };
  }
  if (typeof expiryRequired !== 'boolean') return { invalid: 'expiryRequired must be a boolean' };
  if (signal !== undefined && !(signal instanceof AbortSignal)) return { invalid: 'signal must be an AbortSignal' };
  if (service !== undefined && typeof service !== 'string') return { invalid: 'service must be a string (a card service id or name)' };
  return { timeoutSeconds, reveal, expiryRequired, signal, service };
}

const isDuration = (value: unknown, min: number): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= min && value <= MAX_TIMER_MS;

const LOGGER_METHODS = ['debug', 'info', 'warn', 'error'] as const;
const CLOCK_METHODS = ['now', 'setTimeout', 'clearTimeout'] as const;

/**
 * Checks every openTenkey option's type and range before anything is opened: the description of the first
 * bad one, or undefined when all are usable. (`device` and `service` are checked for type here and for
 * meaning by openTenkey, which reports those as the settings problems BAD_ADDRESS and UNKNOWN_SERVICE.)
 */
export function invalidOpenTenkeyOption(options: unknown): string | undefined {
  if (!isObject(options)) return 'openTenkey options must be an object';
  const { device, enabled, service, clock, logger, reconnect, connectTimeoutMs, baudRate, link } = options;
  if (device !== undefined && typeof device !== 'string') return 'device must be a string (a serial path or tcp://HOST:PORT)';
  if (enabled !== undefined && typeof enabled !== 'boolean') return 'enabled must be a boolean';
  if (service !== undefined && typeof service !== 'string') return 'service must be a string (a card service id or name)';
  if (clock !== undefined && !(isObject(clock) && CLOCK_METHODS.every((m) => typeof clock[m] === 'function'))) {
    return 'clock must have now(), setTimeout() and clearTimeout()';
  }
  if (logger !== undefined && !(isObject(logger) && LOGGER_METHODS.every((m) => typeof logger[m] === 'function'))) {
    return 'logger must have debug(), info(), warn() and error()';
  }
  if (reconnect !== undefined && reconnect !== false) {
    if (!isObject(reconnect)) return 'reconnect must be false or { initialDelayMs, maxDelayMs, factor }';
    const { initialDelayMs, maxDelayMs, factor } = reconnect;
    if (initialDelayMs !== undefined && !isDuration(initialDelayMs, 0)) return `reconnect.initialDelayMs must be a number of ms from 0 to ${MAX_TIMER_MS}`;
    if (maxDelayMs !== undefined && !isDuration(maxDelayMs, 0)) return `reconnect.maxDelayMs must be a number of ms from 0 to ${MAX_TIMER_MS}`;
    if (factor !== undefined && !(typeof factor === 'number' && Number.isFinite(factor) && factor >= 1)) return 'reconnect.factor must be a finite number of at least 1';
  }
  if (connectTimeoutMs !== undefined && !(isDuration(connectTimeoutMs, 1))) return `connectTimeoutMs must be a number of ms from 1 to ${MAX_TIMER_MS}`;
  if (baudRate !== undefined && !(typeof baudRate === 'number' && Number.isSafeInteger(baudRate) && baudRate > 0)) return 'baudRate must be a positive integer';
  if (link !== undefined) {
    if (!isObject(link)) return 'link must be an object';
    // The link layer's own checks, run on a throwaway write so its TypeError never meets an open port.
    try {
      resolveLinkOptions({ ...link, role: 'host', write: () => {}, ...(clock !== undefined ? { clock: clock as unknown as Clock } : {}) });
    } catch (e) {
      return `link: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return undefined;
}
