/**
 * Shared set-up for the bridge's tests: a real bridge on a free loopback port in front of a real simulator
 * (test/host-driver/harness.ts), its request log and keypad changes recorded, everything closed after each test.
 */
import { EventEmitter } from 'node:events';
import { request as httpRequest } from 'node:http';
import { afterEach } from 'vitest';
import { startBridge, type BridgeOptions, type KeypadHealth, type KeypadStatus, type RequestLogEntry, type RunningBridge } from '../../bridge/index.js';

import { eventWhere } from '../host-driver/harness.js';

export { cardKeys, simulator, TEST_CARDS, VALID_EXPIRY } from '../host-driver/harness.js';

/** Quick retries while a keypad is absent, so "the keypad appears" is noticed at once. */
export const FAST_RETRY = { initialDelayMs: 20, maxDelayMs: 200 };

const bridges: RunningBridge[] = [];

afterEach(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.close()));
});

export interface TestBridge {
  bridge: RunningBridge;
  url: string;
  /** Every request the bridge logged. */
  requests: RequestLogEntry[];
  /** Every keypad change the bridge reported. */
  changes: KeypadHealth[];
  /** Resolves at the next (or current) keypad status `status`. */
  keypadStatus(status: KeypadStatus): Promise<KeypadHealth>;
  /** Resolves when the keypad's health (now or at a change) satisfies `test`. */
  keypadChange(test: (health: KeypadHealth) => boolean): Promise<KeypadHealth>;
}

/** A bridge on 127.0.0.1 with a free port; waits until the keypad is connected unless `connected: false`. */
export async function startTestBridge(options: BridgeOptions & { connected?: boolean }): Promise<TestBridge> {
  const { connected = true, ...bridgeOptions } = options;
  const requests: RequestLogEntry[] = [];
  const changes: KeypadHealth[] = [];
  const emitter = new EventEmitter<{ change: [KeypadHealth] }>();
  const bridge = await startBridge({
    listen: '127.0.0.1:0',
    reconnect: FAST_RETRY,
    ...bridgeOptions,
    onRequest: (entry) => requests.push(entry),
    onKeypadChange: (health) => {
      changes.push(health);
      emitter.emit('change', health);
    },
  });
  bridges.push(bridge);
  const keypadChange = (test: (health: KeypadHealth) => boolean): Promise<KeypadHealth> => {
    const now = bridge.health();
    return test(now) ? Promise.resolve(now) : eventWhere(emitter, 'change', test);
  };
  const keypadStatus = (status: KeypadStatus): Promise<KeypadHealth> => keypadChange((health) => health.status === status);
  if (connected) await keypadStatus('connected');
  return { bridge, url: bridge.url, requests, changes, keypadStatus, keypadChange };
}

/** A JSON answer: status, headers and the parsed body (undefined for an empty one). */
export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: any; // each test asserts the shape it expects
  text: string;
}

/** fetch, with the answer's body read as text and parsed as JSON when it is JSON. */
export async function call(url: string, init: RequestInit = {}): Promise<JsonAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.startsWith('application/json') ?? false;
  return { status: response.status, headers: response.headers, body: isJson ? JSON.parse(text) : undefined, text };
}

/** POST /entries with a JSON body (or none). */
export function postEntry(url: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  return call(`${url}/entries`, {
    method: 'POST',
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** DELETE /entries/:id with the token as a Bearer header. */
export function deleteEntry(url: string, id: string, token: string): Promise<JsonAnswer> {
  return call(`${url}/entries/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
}

/** A request with a Host header fetch would not send (forged, or none at all with `host: null`): node:http, raw. */
export function rawRequest(url: string, options: { method?: string; path: string; host: string | null }): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  const headers = options.host === null ? {} : { Host: options.host };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method: options.method ?? 'GET', path: options.path, headers, setHost: options.host !== null }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}
