/**
 * startBridge's options, checked before anything listens or opens: the listen address, the allowed origins,
 * and the keypad settings openTenkey would refuse (checked by the driver's own rules).
 */
import { DEFAULT_DEVICE_ADDRESS, tenkeyError, type TenkeyLogger } from '../host-driver/index.js';
import type { BackoffOptions } from '../host-driver/backoff.js';
import { invalidOpenTenkeyOption, type LinkTimingOptions } from '../host-driver/options.js';
import { findCardService, unknownServiceError } from '../host-driver/services.js';
import { CodedError } from '../protocol/coded-error.js';
import { systemClock, type Clock } from '../protocol/clock.js';
import { MAX_TIMER_MS } from '../protocol/constants.js';
import { DeviceAddressError, parseDeviceAddress } from '../protocol/device-address.js';
import type { KeypadHealth } from './keypad-holder.js';

/** The bridge's default address: the store settings screen's defaults name it. */
export const DEFAULT_BRIDGE_HOST = '127.0.0.1';
export const DEFAULT_BRIDGE_PORT = 7781;
export const DEFAULT_BRIDGE_LISTEN = `${DEFAULT_BRIDGE_HOST}:${DEFAULT_BRIDGE_PORT}`;
/** HTTP-API.md: an ended entry is forgotten this long after it ended. */
export const ENTRY_RETENTION_MS = 60_000;
/** HTTP-API.md: a comment line on every open event stream this often. */
export const KEEPALIVE_MS = 15_000;
/** HTTP-API.md: a running entry with no event-stream subscriber this long is cancelled (an EventSource reconnects well within it). */
export const UNWATCHED_ENTRY_GRACE_MS = 10_000;

/** One request as the log line shows it: never a query string, a body or a token. */
export interface RequestLogEntry {
  method: string;
  /** Path without the query string, long digit runs masked. */
  path: string;
  status: number;
  durationMs: number;
  /** For a request Node's HTTP parser refused (a lowercase method, headers over 16 KiB, …): the answer's code and the parser's, e.g. `BAD_REQUEST HPE_INVALID_METHOD`. */
  problem?: string;
}

/** A source of bare events for `BridgeOptions.benchEvents`: each value it hands a listener goes out as one `progress` event. */
export interface BareEventSource {
  /** Calls `listener` with each value to send until the returned function is called (the stream closed). */
  subscribe(listener: (data: unknown) => void): () => void;
}

export interface BridgeOptions {
  /** The keypad: a serial path or tcp://HOST:PORT (as openTenkey's `device`). Default tcp://127.0.0.1:7780. */
  device?: string;
  /** HOST:PORT to listen on (port 0 = any free port). Default 127.0.0.1:7781. */
  listen?: string;
  /** Origins (scheme://host[:port]) whose pages may call the bridge. Default none: only requests without Origin. */
  allowOrigins?: readonly string[];
  /** 利用サービス for entries that name none (a card service id or name). Default: the keypad's own set. */
  service?: string;
  /** openTenkey's connectTimeoutMs for each attempt. */
  connectTimeoutMs?: number;
  /** Backoff between attempts while the keypad is absent at start, and the driver's reconnect after a loss. */
  reconnect?: BackoffOptions;
  /** Link timing overrides passed to openTenkey (tests). */
  link?: LinkTimingOptions;
  /**
   * A running entry that has had no event-stream subscriber this long (from its start, or from its last
   * subscriber leaving: the page was closed or reloaded) is cancelled by host. Default 10 000.
   */
  unwatchedEntryGraceMs?: number;
  /** The bridge's own timers: start retries, keepalives, forgetting ended entries, the unwatched-entry grace. Default systemClock. */
  clock?: Clock;
  /** One call per finished request (the CLI's log line). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** The keypad's connection changed (connecting with a new cause, connected, reconnecting, disconnected). */
  onKeypadChange?: (health: KeypadHealth) => void;
  /** Driver log lines (openTenkey's logger). Default silent. */
  logger?: TenkeyLogger;
  /** Bench only (the browser-latency floor): serves GET /bench/events, an event stream of this source's values. Default none: no such route. */
  benchEvents?: BareEventSource;
}

export class BridgeOptionsError extends CodedError<'BAD_LISTEN' | 'BAD_ORIGIN'> {}

export interface ResolvedBridgeOptions {
  device: string;
  host: string;
  port: number;
  allowOrigins: ReadonlySet<string>;
  service: string | undefined;
  unwatchedEntryGraceMs: number;
  clock: Clock;
}

/**
 * Checks every option; throws BridgeOptionsError (listen, origins) or the TenkeyError openTenkey would reject
 * with (BAD_ADDRESS, UNKNOWN_SERVICE, INVALID_OPTIONS), so a settings mistake is told at start, not per request.
 */
export function resolveBridgeOptions(options: BridgeOptions): ResolvedBridgeOptions {
  const device = options.device ?? DEFAULT_DEVICE_ADDRESS;
  const { host, port } = parseListenAddress(options.listen ?? DEFAULT_BRIDGE_LISTEN);
  const allowOrigins = new Set((options.allowOrigins ?? []).map(parseAllowedOrigin));
  const invalid = invalidOpenTenkeyOption({
    device, service: options.service, connectTimeoutMs: options.connectTimeoutMs, reconnect: options.reconnect, link: options.link,
    clock: options.clock, logger: options.logger,
  });
  if (invalid !== undefined) throw tenkeyError('INVALID_OPTIONS', invalid);
  try {
    parseDeviceAddress(device);
  } catch (e) {
    if (e instanceof DeviceAddressError) throw tenkeyError('BAD_ADDRESS', e.message);
    throw e;
  }
  if (options.service !== undefined && !findCardService(options.service)) {
    throw unknownServiceError(options.service);
  }
  const grace = options.unwatchedEntryGraceMs ?? UNWATCHED_ENTRY_GRACE_MS;
  if (!(Number.isSafeInteger(grace) && grace >= 1 && grace <= MAX_TIMER_MS)) {
    throw tenkeyError('INVALID_OPTIONS', `unwatchedEntryGraceMs must be a whole number of ms from 1 to ${MAX_TIMER_MS}`);
  }
  return { device, host, port, allowOrigins, service: options.service, unwatchedEntryGraceMs: grace, clock: options.clock ?? systemClock };
}

/** `HOST:PORT` (`[v6]:PORT` for IPv6), port 0–65535; the same host rules as a keypad's tcp:// address. */
export function parseListenAddress(text: string): { host: string; port: number } {
  try {
    const address = parseDeviceAddress(`tcp://${text.trim()}`, { allowEphemeralPort: true });
    if (address.kind === 'tcp') return { host: address.host, port: address.port };
  } catch (e) {
    if (!(e instanceof DeviceAddressError)) throw e;
  }
  throw new BridgeOptionsError('BAD_LISTEN', `listen address "${text}" is not HOST:PORT (e.g. ${DEFAULT_BRIDGE_LISTEN}; port 0 = any free port)`);
}

/** An allowed origin as browsers send it: scheme://host[:port], lower case, default port left out. */
export function parseAllowedOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new BridgeOptionsError('BAD_ORIGIN', `allowed origin "${text}" is not a URL like https://shop.example.com`);
  }
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
    throw new BridgeOptionsError('BAD_ORIGIN', `allowed origin "${text}" must be http(s)://HOST[:PORT] with nothing after it`);
  }
  return url.origin;
}
