/**
 * `tenkey bridge`: an HTTP server on loopback that lets a store's admin page (a browser tab, which cannot open
 * a serial port) drive one keypad through the host driver. node:http, no framework: four endpoints and a
 * fixed policy (HTTP-API.md) are less code than a framework's configuration.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { tenkeyError, type TenkeyError } from '../host-driver/index.js';
import { printableText } from '../protocol/printable-text.js';
import { findCardService, unknownServiceError } from '../host-driver/services.js';
import {
  ENTRY_RETENTION_MS, KEEPALIVE_MS, resolveBridgeOptions, type BareEventSource, type BridgeOptions, type ResolvedBridgeOptions,
} from './bridge-options.js';
import { answerClientErrors } from './client-error.js';
import { EntryRegistry, type BridgeEntry } from './entry-registry.js';
import { entryRequestOf } from './entry-request.js';
import { sendJson } from './json-response.js';
import { startKeypadEntry } from './keypad-entry.js';
import { KeypadHolder, type KeypadHealth } from './keypad-holder.js';
import { readJsonBody } from './request-body.js';
import { allowedHosts, checkRequest, PREFLIGHT_HEADERS, type RequestPolicy } from './request-policy.js';
import { isRequestProblem, RequestProblem } from './request-problem.js';
import { EventStream } from './sse.js';
import { UnwatchedEntryCanceller } from './unwatched-entries.js';

/** GET /health's body. */
export type BridgeHealth = Omit<KeypadHealth, 'address'> & { busy: boolean; address: string };

export interface RunningBridge {
  /** `http://HOST:PORT` it listens on (the port chosen when `listen` asked for 0). */
  readonly url: string;
  readonly port: number;
  /** What GET /health answers now. */
  health(): BridgeHealth;
  /** Closes the keypad (a running entry ends with CONNECTION / CLOSED), every event stream and the server. Idempotent. */
  close(): Promise<void>;
}

type Headers = Readonly<Record<string, string>>;

/** A route's answer to one request, given the CORS headers the policy allows. */
type Handler = (request: IncomingMessage, response: ServerResponse, cors: Headers, id: string) => Promise<void> | void;

interface Route {
  pattern: RegExp;
  methods: Readonly<Record<string, Handler>>;
}

/** Starts the server, then the keypad; rejects (BridgeOptionsError, TenkeyError, or the listen error) before either when settings are wrong. */
export async function startBridge(options: BridgeOptions = {}): Promise<RunningBridge> {
  const settings = resolveBridgeOptions(options);
  const bridge = new Bridge(settings, options);
  await bridge.listen();
  return bridge;
}

class Bridge implements RunningBridge {
  readonly #registry: EntryRegistry;
  readonly #unwatched: UnwatchedEntryCanceller;
  readonly #holder: KeypadHolder;
  // Our Host guard answers a missing Host too, in the contract's JSON, instead of Node's bare 400.
  readonly #server = createServer({ requireHostHeader: false }, (request, response) => void this.#handle(request, response));
  readonly #streams = new Set<EventStream>();
  readonly #cancels = new WeakMap<BridgeEntry, AbortController>();
  readonly #routes: readonly Route[];
  #policy: RequestPolicy = { hosts: new Set(), origins: new Set() };
  #port = 0;
  #closing: Promise<void> | undefined;

  constructor(private readonly settings: ResolvedBridgeOptions, private readonly options: BridgeOptions) {
    this.#registry = new EntryRegistry(settings.clock, ENTRY_RETENTION_MS);
    this.#unwatched = new UnwatchedEntryCanceller(settings.clock, settings.unwatchedEntryGraceMs);
    this.#holder = new KeypadHolder({
      device: settings.device,
      service: settings.service,
      connectTimeoutMs: options.connectTimeoutMs,
      reconnect: options.reconnect,
      link: options.link,
      logger: options.logger,
      clock: settings.clock,
      onChange: (health) => options.onKeypadChange?.(health),
    });
    // Headers must arrive promptly; a body of at most 1 KiB has no reason to take long either.
    this.#server.headersTimeout = 10_000;
    this.#server.requestTimeout = 15_000;
    answerClientErrors(this.#server, ({ method, path, status, code, parserCode }) => {
      options.onRequest?.({ method, path, status, durationMs: 0, problem: `${code} ${parserCode}` });
    });
    const bench = options.benchEvents;
    this.#routes = [
      { pattern: /^\/health$/, methods: { GET: (_q, r, cors) => this.#health(r, cors) } },
      { pattern: /^\/entries$/, methods: { POST: (q, r, cors) => this.#startEntry(q, r, cors) } },
      { pattern: /^\/entries\/([^/]+)$/, methods: { DELETE: (q, r, cors, id) => this.#cancelEntry(q, r, cors, id) } },
      { pattern: /^\/entries\/([^/]+)\/events$/, methods: { GET: (q, r, cors, id) => this.#events(q, r, cors, id) } },
      ...(bench ? [{ pattern: /^\/bench\/events$/, methods: { GET: (_q, r, cors) => this.#bareEvents(r, cors, bench) } } satisfies Route] : []),
    ];
  }

  get url(): string {
    const { host } = this.settings;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.settings.port, this.settings.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#policy = { hosts: allowedHosts(this.settings.host, this.#port), origins: this.settings.allowOrigins };
    this.#holder.start();
  }

  health(): BridgeHealth {
    return { ...this.#holder.health, busy: this.#registry.running !== undefined };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      // Closing the keypad ends a running entry: its stream gets the terminal error before streams are ended.
      await this.#holder.close();
      for (const stream of this.#streams) stream.end();
      this.#streams.clear();
      this.#unwatched.clear();
      this.#registry.clear();
      this.#server.closeAllConnections();
      await closed;
    })();
    return this.#closing;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    response.once('close', () => {
      // Method, path, status and duration only: never the query (token), a body, or digits someone put in the path.
      try {
        this.options.onRequest?.({
          method: method.slice(0, 16), path: printableText(path, 200), status: response.statusCode,
          durationMs: Math.round(performance.now() - started),
        });
      } catch {
        // A logger's failure must not take the bridge down.
      }
    });
    let cors: Headers = {};
    try {
      cors = checkRequest(request, this.#policy);
      await this.#route(request, response, method, path, cors);
    } catch (e) {
      if (response.headersSent) {
        response.end();
      } else if (isRequestProblem(e)) {
        sendJson(response, e.status, { error: e.toJSON() }, { ...cors, ...e.headers });
      } else {
        // A bug of ours: the store still gets one of its four errors, and the bridge keeps serving.
        const error = tenkeyError('UNKNOWN', 'bridge failed to answer');
        sendJson(response, 500, { error: error.toJSON() }, cors);
      }
    }
  }

  async #route(request: IncomingMessage, response: ServerResponse, method: string, path: string, cors: Headers): Promise<void> {
    for (const route of this.#routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      const allow = [...Object.keys(route.methods), 'OPTIONS'].join(', ');
      if (method === 'OPTIONS') {
        response.writeHead(204, { ...cors, ...(request.headers.origin !== undefined ? preflightHeaders(request) : {}), Allow: allow });
        response.end();
        return;
      }
      const handler = route.methods[method];
      if (!handler) throw new RequestProblem('METHOD_NOT_ALLOWED', `${method.slice(0, 16)} is not allowed here (allowed: ${allow})`, { Allow: allow });
      await handler(request, response, cors, match[1] ?? '');
      return;
    }
    throw new RequestProblem('NOT_FOUND', 'no such endpoint (GET /health, POST /entries, GET /entries/:id/events, DELETE /entries/:id)');
  }

  #health(response: ServerResponse, cors: Headers): void {
    const health = this.health();
    sendJson(response, health.status === 'connected' ? 200 : 503, health, cors);
  }

  async #startEntry(request: IncomingMessage, response: ServerResponse, cors: Headers): Promise<void> {
    const entryRequest = entryRequestOf(await readJsonBody(request));
    const service = entryRequest.service ?? this.settings.service;
    if (service !== undefined && !findCardService(service)) {
      sendTenkeyError(response, 400, unknownServiceError(service), cors);
      return;
    }
    const keypad = this.#holder.keypad;
    if (!keypad || this.#closing) {
      sendTenkeyError(response, 503, this.#holder.error ?? tenkeyError('NOT_CONNECTED', `keypad at ${this.settings.device} is not connected`), cors);
      return;
    }
    if (this.#registry.running) {
      sendTenkeyError(response, 409, tenkeyError('ENTRY_IN_PROGRESS', 'one entry at a time per keypad: another entry is running'), cors);
      return;
    }
    const entry = this.#registry.create();
    const cancel = startKeypadEntry(keypad, entry, { ...entryRequest, service });
    this.#cancels.set(entry, cancel);
    // The page that started it may be gone (closed, reloaded): nobody would ever cancel it, and the keypad stays busy.
    this.#unwatched.track(entry, () => cancel.abort());
    sendJson(response, 201, { id: entry.id, token: entry.token, events: `/entries/${entry.id}/events` }, cors);
  }

  #events(request: IncomingMessage, response: ServerResponse, cors: Headers, id: string): void {
    const entry = this.#authorized(request, id);
    const lastEventId = lastEventIdOf(request);
    const pending = entry.eventsAfter(lastEventId);
    if (entry.outcome !== undefined && pending.length === 0) {
      // Nothing more will come: 204 tells a reconnecting EventSource to stop (the HTML spec's "fail the connection").
      response.writeHead(204, { ...cors, 'Cache-Control': 'no-store' });
      response.end();
      return;
    }
    const stream = new EventStream(response, this.settings.clock, KEEPALIVE_MS, cors);
    this.#streams.add(stream);
    for (const event of pending) stream.send(event);
    if (entry.outcome !== undefined) {
      stream.end();
      this.#streams.delete(stream);
      return;
    }
    const unsubscribe = entry.subscribe((event) => {
      if (event.id <= lastEventId) return;
      stream.send(event);
      if (event.event !== 'progress') stream.end();
    });
    const unwatch = this.#unwatched.watch(entry);
    response.once('close', () => {
      unsubscribe();
      unwatch();
      this.#streams.delete(stream);
    });
  }

  /** The floor of the browser-latency bench: the same event stream and socket as an entry's, with no keypad behind it. */
  #bareEvents(response: ServerResponse, cors: Headers, source: BareEventSource): void {
    const stream = new EventStream(response, this.settings.clock, KEEPALIVE_MS, cors);
    this.#streams.add(stream);
    let id = 0;
    const unsubscribe = source.subscribe((data) => stream.send({ id: ++id, event: 'progress', data }));
    response.once('close', () => {
      unsubscribe();
      this.#streams.delete(stream);
    });
  }

  async #cancelEntry(request: IncomingMessage, response: ServerResponse, cors: Headers, id: string): Promise<void> {
    const entry = this.#authorized(request, id);
    if (entry.outcome === undefined) {
      const ended = new Promise<void>((resolve) => entry.subscribe((event) => event.event !== 'progress' && resolve()));
      this.#cancels.get(entry)?.abort();
      await ended;
      if (entry.outcome === 'cancelled') {
        sendJson(response, 200, { state: 'cancelled' }, cors);
        return;
      }
    }
    sendJson(response, 200, { state: 'ended', outcome: entry.outcome }, cors);
  }

  /** The entry `id` names, if the request carries its token (`?token=` or `Authorization: Bearer`). */
  #authorized(request: IncomingMessage, id: string): BridgeEntry {
    const entry = this.#registry.get(id);
    if (!entry) throw new RequestProblem('NO_SUCH_ENTRY', 'no such entry (never started, or forgotten 60 s after it ended)');
    if (!entry.tokenMatches(tokenOf(request))) {
      throw new RequestProblem('BAD_TOKEN', 'the entry token is missing or wrong (?token= or Authorization: Bearer)');
    }
    return entry;
  }
}

/**
 * The preflight answer for an allowed origin; Chrome's Private Network Access asks a public page's preflight to
 * loopback for explicit consent, which an allowed origin has.
 */
function preflightHeaders(request: IncomingMessage): Headers {
  const privateNetwork = request.headers['access-control-request-private-network'] === 'true';
  return privateNetwork ? { ...PREFLIGHT_HEADERS, 'Access-Control-Allow-Private-Network': 'true' } : PREFLIGHT_HEADERS;
}

function sendTenkeyError(response: ServerResponse, status: number, error: TenkeyError, cors: Headers): void {
  sendJson(response, status, { error: error.toJSON() }, cors);
}

function tokenOf(request: IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (bearer) return bearer[1];
  const query = (request.url ?? '').split('?')[1];
  return query === undefined ? undefined : new URLSearchParams(query).get('token') ?? undefined;
}

/** Last-Event-ID as a count of events already seen (0 when absent or not a number). */
function lastEventIdOf(request: IncomingMessage): number {
  const text = request.headers['last-event-id'];
  return typeof text === 'string' && /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : 0;
}
