/**
 * Bad requests to `tenkey bridge` (bridge/HTTP-API.md), over real HTTP: each gets one JSON error whose code names
 * the problem, and nothing reaches the keypad. Requests that never reach the keypad use a bridge whose keypad
 * address points nowhere; the rest a simulator on TCP.
 */
import { request as httpRequest } from 'node:http';
import { SimulatedClock } from 'xstate';
import { expect } from 'vitest';
import { ENTRY_RETENTION_MS, MAX_BODY_BYTES, startBridge, type BridgeOptions, type RequestLogEntry, type RunningBridge } from '../../bridge/index.js';
import { startSimulator } from '../../device-sim/index.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { rawExchange } from '../bridge/raw-http.js';
import { holdsNumber } from '../redaction/card-number-spellings.js';
import type { BadInputRow } from './bad-input-row.js';
import { withCleanup, type Defer } from './check-scope.js';

/** Nothing listens on port 1: the bridge keeps "connecting" and answers every request itself. */
const NOWHERE = 'tcp://127.0.0.1:1';
const SHOP = 'https://shop.example.com';

async function bridgeFor(defer: Defer, options: BridgeOptions = {}): Promise<RunningBridge> {
  const bridge = await startBridge({ device: NOWHERE, listen: '127.0.0.1:0', allowOrigins: [SHOP], ...options });
  defer(() => bridge.close());
  return bridge;
}

/** A bridge in front of a simulator, once the keypad is connected. */
async function connectedBridge(defer: Defer, options: BridgeOptions = {}): Promise<RunningBridge> {
  const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0' });
  defer(() => sim.close());
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const bridge = await bridgeFor(defer, { ...options, device: sim.address, onKeypadChange: (h) => h.status === 'connected' && connected() });
  if (bridge.health().status !== 'connected') await ready;
  return bridge;
}

const HOST = (port: number): string => `Host: 127.0.0.1:${port}\r\n`;
/** Requests Node's own parser refuses before the bridge sees them: what is sent, and the answer's status, code and parser code. */
const PARSER_REFUSALS: [string, (port: number) => string, number, string, string][] = [
  ['a lowercase method (`get /health`)', (port) => `get /health HTTP/1.1\r\n${HOST(port)}\r\n`, 400, 'BAD_REQUEST', 'HPE_INVALID_METHOD'],
  ['a header over 16 KiB', (port) => `GET /health HTTP/1.1\r\n${HOST(port)}X-Pad: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE', 'HPE_HEADER_OVERFLOW'],
  ['Content-Length together with Transfer-Encoding', (port) => `POST /entries HTTP/1.1\r\n${HOST(port)}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'BAD_REQUEST', 'HPE_INVALID_TRANSFER_ENCODING'],
];

/** Status and error object of an answer. */
async function answerOf(response: Response): Promise<{ status: number; error: Record<string, unknown> | undefined }> {
  const body = (await response.json().catch(() => undefined)) as { error?: Record<string, unknown> } | undefined;
  return { status: response.status, error: body?.error };
}

const postJson = (bridge: RunningBridge, body: string, headers: Record<string, string> = {}) =>
  fetch(`${bridge.url}/entries`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body }).then(answerOf);

/** A request problem: its status, its code (also the cause) and a detail. */
function expectProblem(answer: { status: number; error: Record<string, unknown> | undefined }, status: number, code: string, detail?: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.error).toMatchObject({ code, cause: code, detail: expect.any(String) });
  if (detail) expect(answer.error?.detail).toMatch(detail);
}

/** GET `path` with a Host header fetch would not send (a forged one, or none with `host: null`): node:http, raw. */
function withHost(bridge: RunningBridge, path: string, host: string | null): Promise<{ status: number; error: Record<string, unknown> | undefined }> {
  return new Promise((resolve, reject) => {
    const headers = host === null ? {} : { Host: host };
    const req = httpRequest({ host: '127.0.0.1', port: bridge.port, path, headers, setHost: host !== null }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, error: (JSON.parse(text) as { error?: Record<string, unknown> }).error }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request body sent chunked (no Content-Length): `size` bytes of spaces in 1 KiB pieces. */
function chunkedBody(size: number): ReadableStream<Uint8Array> {
  const piece = new TextEncoder().encode(' '.repeat(1024));
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      sent += piece.length;
      controller.enqueue(piece);
    },
  });
}

/** An entry on a connected bridge: its id and token. */
async function startedEntry(bridge: RunningBridge): Promise<{ id: string; token: string }> {
  const response = await fetch(`${bridge.url}/entries`, { method: 'POST' });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; token: string };
}

export const bridgeRows: BadInputRow[] = [
  {
    area: 'bridge', input: 'POST /entries with a body that is not JSON', answer: '400 BAD_REQUEST, detail "body is not valid JSON"; the body is not echoed',
    check: () => withCleanup(async (defer) => {
      const answer = await postJson(await bridgeFor(defer), 'timeoutSeconds=10&note=keep-this-private');
      expectProblem(answer, 400, 'BAD_REQUEST', /not valid JSON/);
      // JSON.parse quotes the start of the text in its message; the bridge leaves it out.
      expect(JSON.stringify(answer.error)).not.toMatch(/timeoutSec|keep-this-private/);
    }),
  },
  {
    area: 'bridge', input: 'POST /entries with an unknown field', answer: '400 BAD_REQUEST, detail names the field',
    check: () => withCleanup(async (defer) => {
      expectProblem(await postJson(await bridgeFor(defer), '{"reveal":4}'), 400, 'BAD_REQUEST', /unknown field "reveal"/);
    }),
  },
  {
    area: 'bridge', input: 'POST /entries with timeoutSeconds out of range (0, 301, 1.5, "60")', answer: '400 BAD_REQUEST, detail "timeoutSeconds must be an integer from 1 to 300"',
    check: () => withCleanup(async (defer) => {
      const bridge = await bridgeFor(defer);
      for (const value of ['0', '301', '1.5', '"60"']) {
        expectProblem(await postJson(bridge, `{"timeoutSeconds":${value}}`), 400, 'BAD_REQUEST', /timeoutSeconds must be an integer from 1 to 300/);
      }
    }),
  },
  {
    area: 'bridge', input: 'POST /entries with a body that is not application/json', answer: '415 UNSUPPORTED_MEDIA_TYPE',
    check: () => withCleanup(async (defer) => {
      const bridge = await bridgeFor(defer);
      const answer = await fetch(`${bridge.url}/entries`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }).then(answerOf);
      expectProblem(answer, 415, 'UNSUPPORTED_MEDIA_TYPE', /application\/json/);
    }),
  },
  {
    area: 'bridge', input: 'POST /entries with a body over 1 KiB', answer: '413 PAYLOAD_TOO_LARGE',
    check: () => withCleanup(async (defer) => {
      expectProblem(await postJson(await bridgeFor(defer), `{"timeoutSeconds":10}${' '.repeat(1024)}`), 413, 'PAYLOAD_TOO_LARGE', /1024 bytes/);
    }),
  },
  {
    area: 'bridge', input: 'POST /entries with a chunked body over 1 KiB (no Content-Length)', answer: '413 PAYLOAD_TOO_LARGE once 1 KiB is passed; the bridge goes on answering',
    check: () => withCleanup(async (defer) => {
      const bridge = await bridgeFor(defer);
      const init = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: chunkedBody(8 * MAX_BODY_BYTES), duplex: 'half' };
      expectProblem(await fetch(`${bridge.url}/entries`, init as RequestInit).then(answerOf), 413, 'PAYLOAD_TOO_LARGE', /1024 bytes/);
      expect((await fetch(`${bridge.url}/health`)).status).toBe(503);
    }),
  },
  {
    area: 'bridge', input: 'POST /entries naming an unknown service', answer: '400 CONNECTION / UNKNOWN_SERVICE (a settings problem: the store message for CONNECTION)',
    check: () => withCleanup(async (defer) => {
      const answer = await postJson(await bridgeFor(defer), '{"service":"no-such-service"}');
      expect(answer.status).toBe(400);
      expect(answer.error).toMatchObject({ code: 'CONNECTION', cause: 'UNKNOWN_SERVICE' });
    }),
  },
  {
    area: 'bridge', input: 'POST /entries while no keypad is connected', answer: '503 CONNECTION, cause why (ECONNREFUSED, ENOENT, NOT_CONNECTED, …); GET /health 503',
    check: () => withCleanup(async (defer) => {
      let failed!: () => void;
      const firstFailure = new Promise<void>((resolve) => (failed = resolve));
      const bridge = await bridgeFor(defer, { onKeypadChange: (h) => h.error !== undefined && failed() });
      await firstFailure;
      const answer = await postJson(bridge, '{}');
      expect(answer.status).toBe(503);
      expect(answer.error).toMatchObject({ code: 'CONNECTION', cause: 'ECONNREFUSED' });
      expect((await fetch(`${bridge.url}/health`)).status).toBe(503);
    }),
  },
  {
    area: 'bridge', input: 'a second POST /entries while an entry runs', answer: '409 TEMPORARY / ENTRY_IN_PROGRESS; the running entry goes on',
    check: () => withCleanup(async (defer) => {
      const bridge = await connectedBridge(defer);
      await startedEntry(bridge);
      const answer = await postJson(bridge, '{}');
      expect(answer.status).toBe(409);
      expect(answer.error).toMatchObject({ code: 'TEMPORARY', cause: 'ENTRY_IN_PROGRESS' });
      expect(bridge.health().busy).toBe(true);
    }),
  },
  {
    area: 'bridge', input: 'a request from an Origin not given by --allow-origin', answer: '403 FORBIDDEN_ORIGIN, without CORS headers',
    check: () => withCleanup(async (defer) => {
      const bridge = await bridgeFor(defer);
      const response = await fetch(`${bridge.url}/health`, { headers: { Origin: 'https://evil.example' } });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expectProblem(await answerOf(response), 403, 'FORBIDDEN_ORIGIN');
    }),
  },
  {
    area: 'bridge', input: 'a request whose Host names another site (DNS rebinding)', answer: '403 FORBIDDEN_HOST',
    check: () => withCleanup(async (defer) => {
      const bridge = await bridgeFor(defer);
      expectProblem(await withHost(bridge, '/health', `evil.example:${bridge.port}`), 403, 'FORBIDDEN_HOST', /^Host "evil\.example:[^"]*" does not name this bridge$/);
    }),
  },
  {
    area: 'bridge', input: 'a request with no Host header', answer: '403 FORBIDDEN_HOST, detail "Host missing"',
    check: () => withCleanup(async (defer) => {
      expectProblem(await withHost(await bridgeFor(defer), '/health', null), 403, 'FORBIDDEN_HOST', /^Host missing does not name this bridge$/);
    }),
  },
  {
    area: 'bridge', input: "an entry's events or DELETE without its token", answer: '401 BAD_TOKEN',
    check: () => withCleanup(async (defer) => {
      const bridge = await connectedBridge(defer);
      const { id } = await startedEntry(bridge);
      expectProblem(await fetch(`${bridge.url}/entries/${id}/events`).then(answerOf), 401, 'BAD_TOKEN');
      expectProblem(await fetch(`${bridge.url}/entries/${id}`, { method: 'DELETE' }).then(answerOf), 401, 'BAD_TOKEN');
      expect(bridge.health().busy).toBe(true);
    }),
  },
  {
    area: 'bridge', input: "an entry's events or DELETE with a wrong token (another entry's, or altered)", answer: '401 BAD_TOKEN (compared in constant time)',
    check: () => withCleanup(async (defer) => {
      const bridge = await connectedBridge(defer);
      const { id, token } = await startedEntry(bridge);
      const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      expectProblem(await fetch(`${bridge.url}/entries/${id}/events?token=${altered}`).then(answerOf), 401, 'BAD_TOKEN');
      expectProblem(await fetch(`${bridge.url}/entries/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${altered}` } }).then(answerOf), 401, 'BAD_TOKEN');
    }),
  },
  {
    area: 'bridge', input: 'an entry id the bridge never gave', answer: '404 NO_SUCH_ENTRY',
    check: () => withCleanup(async (defer) => {
      const bridge = await bridgeFor(defer);
      expectProblem(await fetch(`${bridge.url}/entries/no-such-entry/events?token=x`).then(answerOf), 404, 'NO_SUCH_ENTRY');
      expectProblem(await fetch(`${bridge.url}/entries/no-such-entry`, { method: 'DELETE' }).then(answerOf), 404, 'NO_SUCH_ENTRY');
    }),
  },
  {
    area: 'bridge', input: 'an entry id the bridge forgot (60 s after the entry ended)', answer: '404 NO_SUCH_ENTRY, even with its token; until then the ended entry still answers',
    check: () => withCleanup(async (defer) => {
      const clock = new SimulatedClock();
      const bridge = await connectedBridge(defer, { clock });
      const { id, token } = await startedEntry(bridge);
      const cancel = () => fetch(`${bridge.url}/entries/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } }).then(answerOf);
      expect((await cancel()).status).toBe(200);
      clock.increment(ENTRY_RETENTION_MS - 1);
      expect((await cancel()).status).toBe(200);
      clock.increment(1);
      expectProblem(await cancel(), 404, 'NO_SUCH_ENTRY');
      expectProblem(await fetch(`${bridge.url}/entries/${id}/events?token=${token}`).then(answerOf), 404, 'NO_SUCH_ENTRY');
    }),
  },
  {
    area: 'bridge', input: 'a path that is no endpoint', answer: '404 NOT_FOUND, detail lists the endpoints',
    check: () => withCleanup(async (defer) => {
      expectProblem(await fetch(`${(await bridgeFor(defer)).url}/admin`).then(answerOf), 404, 'NOT_FOUND', /POST \/entries/);
    }),
  },
  {
    area: 'bridge', input: 'a method an endpoint does not take (GET /entries, POST /health)', answer: '405 METHOD_NOT_ALLOWED with an Allow header',
    check: () => withCleanup(async (defer) => {
      const bridge = await bridgeFor(defer);
      const response = await fetch(`${bridge.url}/entries`);
      expect(response.headers.get('allow')).toBe('POST, OPTIONS');
      expectProblem(await answerOf(response), 405, 'METHOD_NOT_ALLOWED');
      expectProblem(await fetch(`${bridge.url}/health`, { method: 'POST' }).then(answerOf), 405, 'METHOD_NOT_ALLOWED');
    }),
  },
  ...PARSER_REFUSALS.map(([input, request, status, code, parserCode]): BadInputRow => ({
    area: 'bridge', input, answer: `${status} ${code} as JSON (Node's parser refused it), \`Connection: close\`, one log line naming \`${parserCode}\``,
    check: () => withCleanup(async (defer) => {
      const log: RequestLogEntry[] = [];
      const bridge = await bridgeFor(defer, { onRequest: (entry) => log.push(entry) });
      const answer = await rawExchange(bridge.port, request(bridge.port));
      expect(answer.status).toBe(status);
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code, cause: code } });
      expect(log).toEqual([expect.objectContaining({ status, problem: `${code} ${parserCode}` })]);
    }),
  })),
  {
    area: 'bridge', input: 'a path or a POST /entries service holding a card number spelled with `.`, `_`, `/` or `%2F`',
    answer: '404 NOT_FOUND / 400 CONNECTION / UNKNOWN_SERVICE; the body\'s detail and the request log line read `[redacted]`',
    check: () => withCleanup(async (defer) => {
      const log: RequestLogEntry[] = [];
      const bridge = await bridgeFor(defer, { onRequest: (entry) => log.push(entry) });
      for (const glue of ['.', '_', '/', '%2F']) {
        const spelled = TEST_CARDS.visa.replace(/(\d{4})(?=\d)/g, `$1${glue}`);
        const notFound = await fetch(`${bridge.url}/entries/${spelled}/events`);
        const service = await fetch(`${bridge.url}/entries`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ service: spelled }) });
        expect(notFound.status).toBe(404);
        expect(service.status).toBe(400);
        const texts = [await notFound.text(), await service.text()];
        expect(texts[1]).toContain('unknown card service \\"[redacted]\\"');
        expect(holdsNumber([...texts, JSON.stringify(log)].join('\n'), TEST_CARDS.visa)).toBe(false);
      }
      expect(log.some((entry) => entry.path.includes('[redacted]'))).toBe(true);
    }),
  },
];
