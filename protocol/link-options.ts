/**
 * Options of a LinkEndpoint, their defaults (PROTOCOL.md §6 timers) and their validation.
 * Bad options are a programming error, so they throw TypeError at once, like the serialport parsers.
 */
import { systemClock, type Clock } from './clock.js';
import { ACK_TIMEOUT_MS, LINK_DEAD_AFTER_MS, MAX_QUEUED_SENDS, MAX_RETRANSMISSIONS, MAX_TIMER_MS, PING_INTERVAL_MS } from './constants.js';

export type LinkRole = 'host' | 'device';

export interface LinkEndpointOptions {
  /** Which end of the cable this is: decides the direction bit, which messages may be sent and who answers PING. */
  role: LinkRole;
  /** Wire bytes out (complete frames, 0x00 included). A throw is treated like a lost frame. */
  write(bytes: Buffer): void;
  /** Every timer of the link; default systemClock. xstate's SimulatedClock fits. */
  clock?: Clock;
  /** Wait this long for an ACK before retransmitting; default ACK_TIMEOUT_MS (250). */
  ackTimeoutMs?: number;
  /** Retransmissions after the first copy before a send fails with NO_ACK; default MAX_RETRANSMISSIONS (3). */
  maxRetransmissions?: number;
  /** Host only: send PING after this long without sending a message; default PING_INTERVAL_MS (host), false (device). */
  pingIntervalMs?: number | false;
  /** Emit 'dead' after this long with no valid frame from the peer; default LINK_DEAD_AFTER_MS (host), false (device). */
  deadAfterMs?: number | false;
  /**
   * Host only: each keepalive wait is shortened by a random share of up to this fraction (0 ≤ j < 1), so many links
   * opened at once do not PING in phase (PROTOCOL.md §6.4). Only ever shorter: the peer's liveness budget holds. Default 0.
   */
  pingJitter?: number;
  /** Uniform random numbers in [0, 1) for pingJitter; default Math.random. */
  random?: () => number;
  /**
   * Messages that may wait for the line behind the one in flight; one more fails QUEUE_FULL and emits 'overflow'
   * (the peer asks faster than it acknowledges; the keypad drops such a host). Default MAX_QUEUED_SENDS (1024).
   */
  maxQueuedSends?: number;
}

export interface ResolvedLinkOptions {
  role: LinkRole;
  write: (bytes: Buffer) => void;
  clock: Clock;
  ackTimeoutMs: number;
  maxRetransmissions: number;
  pingIntervalMs: number | false;
  deadAfterMs: number | false;
  pingJitter: number;
  random: () => number;
  maxQueuedSends: number;
}

function positiveDuration(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new TypeError(`"${name}" must be a positive number of milliseconds up to ${MAX_TIMER_MS}`);
  }
  return value;
}

function durationOrOff(name: string, value: unknown, fallback: number | false): number | false {
  if (value === undefined) return fallback;
  if (value === false) return false;
  return positiveDuration(name, value);
}

export function resolveLinkOptions(options: LinkEndpointOptions): ResolvedLinkOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object');
  const { role } = options;
  if (role !== 'host' && role !== 'device') throw new TypeError('"role" must be "host" or "device"');
  if (typeof options.write !== 'function') throw new TypeError('"write" must be a function');
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function' || typeof clock.setTimeout !== 'function' || typeof clock.clearTimeout !== 'function') {
    throw new TypeError('"clock" must have now(), setTimeout() and clearTimeout()');
  }
  const maxRetransmissions = options.maxRetransmissions ?? MAX_RETRANSMISSIONS;
  if (!Number.isInteger(maxRetransmissions) || maxRetransmissions < 0) {
    throw new TypeError('"maxRetransmissions" must be a non-negative integer');
  }
  const isHost = role === 'host';
  const pingIntervalMs = durationOrOff('pingIntervalMs', options.pingIntervalMs, isHost ? PING_INTERVAL_MS : false);
  // PING is a host message: a device that pinged would be refused with NAK WRONG_DIRECTION.
  if (!isHost && pingIntervalMs !== false) throw new TypeError('"pingIntervalMs" is for the host role only');
  const pingJitter = options.pingJitter ?? 0;
  if (typeof pingJitter !== 'number' || !(pingJitter >= 0 && pingJitter < 1)) throw new TypeError('"pingJitter" must be a number from 0 up to (not including) 1');
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw new TypeError('"random" must be a function');
  const maxQueuedSends = options.maxQueuedSends ?? MAX_QUEUED_SENDS;
  if (!Number.isInteger(maxQueuedSends) || maxQueuedSends < 1) throw new TypeError('"maxQueuedSends" must be a positive integer');
  return {
    role,
    write: options.write,
    clock,
    ackTimeoutMs: positiveDuration('ackTimeoutMs', options.ackTimeoutMs ?? ACK_TIMEOUT_MS),
    maxRetransmissions,
    pingIntervalMs,
    deadAfterMs: durationOrOff('deadAfterMs', options.deadAfterMs, isHost ? LINK_DEAD_AFTER_MS : false),
    pingJitter,
    random,
    maxQueuedSends,
  };
}
