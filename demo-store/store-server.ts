/**
 * `tenkey demo-store`'s server: the reference admin store's pages and JSON API. node:http because a handful of
 * routes and static files need no framework (and no new dependency in a package shops install).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestPaymentServices, type PaymentServices } from '../payment-sim/index.js';
import { sendJson, StoreApiError } from './http-json.js';
import { publicRoot } from './package-root.js';
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
  /** One line per request: method, path, status, duration. Never a body or a query string. */
  log?: (line: string) => void;
}

export interface RunningDemoStore {
  /** `http://HOST:PORT`: the origin the bridge must allow. */
  readonly url: string;
  /** The settings now (the settings screen changes them). */
  readonly settings: Readonly<StoreSettings>;
  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void>;
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
    payments: options.payments ?? createTestPaymentServices(),
  };
  const log = options.log ?? (() => {});
  const server: Server = createServer((req, res) => {
    const started = performance.now();
    res.on('finish', () => {
      const path = (req.url ?? '/').split('?')[0];
      log(`${req.method ?? '?'} ${path} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
    });
    route(state, req, res).catch((error: unknown) => {
      const failure = error instanceof StoreApiError ? error : new StoreApiError(500, 'TEMPORARY', 'UNKNOWN', 'unexpected server error');
      if (res.headersSent) res.destroy();
      else sendJson(res, failure.status, failure.toJSON());
    });
  });
  const host = options.host ?? DEFAULT_STORE_HOST;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_STORE_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    get settings() {
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
