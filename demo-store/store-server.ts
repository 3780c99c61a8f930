/**
 * `tenkey demo-store`'s server: the reference admin store's pages and JSON API. node:http because a handful of
 * routes and static files need no framework (and no new dependency in a package shops install). Every request
 * passes the bridge's Host guard (bridge/HTTP-API.md "Host") first; what it echoes or logs has digit runs masked.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestPaymentServices, type PaymentServices } from '../payment-sim/index.js';
import { answerClientErrors } from '../bridge/client-error.js';
import { allowedHosts } from '../bridge/request-policy.js';
import { printableText } from '../protocol/printable-text.js';
import { sendJson, StoreApiError } from './http-json.js';
import { publicRoot } from './public-root.js';
import { sendStaticFile } from './static-files.js';
import { handleApi, type StoreState } from './store-api.js';
import { applySettingsChange, DEFAULT_STORE_SETTINGS, type StoreSettings } from './store-settings.js';

export const DEFAULT_STORE_HOST = '127.0.0.1';
export const DEFAULT_STORE_PORT = 7782;

export interface DemoStoreOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 7782; 0 = any free port). */
  port?: number;
  /** Settings to start with, over DEFAULT_STORE_SETTINGS (checked like a PUT /api/settings). */
  settings?: Partial<StoreSettings>;
  /** Token and authorization stand-ins (default: the TEST-ONLY BDK ones). */
  payments?: PaymentServices;
  /**
   * With the default payments: the file keeping the highest KSN counter accepted per keypad, so that a restart
   * does not accept an old card block again (`tenkey demo-store` keeps one). Default memory only.
   */
  acceptedKsnFile?: string;
  /** One line per request: method, path (digit runs masked), status, duration. Never a body or a query string. */
  log?: (line: string) => void;
}

export interface RunningDemoStore {
  /** `http://HOST:PORT`: the origin the bridge must allow. */
  readonly url: string;
  /** The settings now (the settings screen changes them). */
  readonly settings: Readonly<StoreSettings>;
  /** Changes the settings as PUT /api/settings does; throws StoreSettingsError for a bad one. */
  changeSettings(change: Partial<StoreSettings>): Readonly<StoreSettings>;
  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void>;
}

/** The DNS-rebinding guard the bridge has: a page from another site that resolved its name to this PC is refused. */
function hostNamesStore(req: IncomingMessage, hosts: ReadonlySet<string>): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && hosts.has(host);
}

function forbiddenHost(req: IncomingMessage): StoreApiError {
  const host = req.headers.host;
  return new StoreApiError(403, 'FORBIDDEN_HOST', 'FORBIDDEN_HOST', `Host ${host === undefined ? 'missing' : `"${host.slice(0, 100)}"`} does not name this store`);
}

async function route(state: StoreState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://store').pathname);
  } catch {
    throw new StoreApiError(400, 'BAD_REQUEST', 'BAD_PATH', 'the path is not valid');
  }
  if (path === '/api' || path.startsWith('/api/')) return handleApi(state, req, res, path);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET');
    throw new StoreApiError(405, 'METHOD_NOT_ALLOWED', 'METHOD_NOT_ALLOWED', 'pages take GET');
  }
  if (!(await sendStaticFile(publicRoot(), path, res))) throw new StoreApiError(404, 'NOT_FOUND', 'NOT_FOUND', 'no such page');
}

export async function startDemoStore(options: DemoStoreOptions = {}): Promise<RunningDemoStore> {
  const state: StoreState = {
    settings: applySettingsChange(DEFAULT_STORE_SETTINGS, options.settings ?? {}),
    payments: options.payments ?? createTestPaymentServices(options.acceptedKsnFile === undefined ? {} : { acceptedKsnFile: options.acceptedKsnFile }),
  };
  const log = options.log ?? (() => {});
  let hosts: ReadonlySet<string> = new Set();
  const server: Server = createServer({ requireHostHeader: false }, (req, res) => {
    const started = performance.now();
    res.on('finish', () => {
      // Never the query string, and no digit run someone put in the path (the bridge logs the same way).
      const path = printableText((req.url ?? '/').split('?')[0]!, 200);
      log(`${(req.method ?? '?').slice(0, 16)} ${path} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
    });
    const checked = hostNamesStore(req, hosts) ? route(state, req, res) : Promise.reject(forbiddenHost(req));
    checked.catch((error: unknown) => {
      const failure = error instanceof StoreApiError ? error : new StoreApiError(500, 'TEMPORARY', 'UNKNOWN', 'unexpected server error');
      if (res.headersSent) res.destroy();
      else sendJson(res, failure.status, failure.toJSON());
    });
  });
  // The store's API answers in the bridge's error shape: so do requests Node's parser refuses.
  answerClientErrors(server, ({ method, path, status, code, parserCode }) => log(`${method} ${path} ${status} 0ms ${code} ${parserCode}`));
  const host = options.host ?? DEFAULT_STORE_HOST;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_STORE_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(host, port);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    get settings() {
      return state.settings;
    },
    changeSettings(change) {
      state.settings = applySettingsChange(state.settings, change);
      return state.settings;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
