/**
 * Requests Node's own HTTP parser refuses, sent over raw sockets: the bridge and the demo store answer each in the
 * JSON error contract (HTTP-API.md "Error bodies") with Connection: close and one log line, and go on serving.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBridge, type RequestLogEntry } from '../../bridge/index.js';
import { answerClientErrors, type ClientErrorEntry } from '../../bridge/client-error.js';
import { STORE_MESSAGES } from '../../host-driver/errors.js';
import { startDemoStore } from '../../demo-store/index.js';
import { readJsonBody } from '../../bridge/request-body.js';
import { rawExchange } from './raw-http.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function bridge(): Promise<{ port: number; log: RequestLogEntry[] }> {
  const log: RequestLogEntry[] = [];
  const running = await startBridge({ device: 'tcp://127.0.0.1:1', listen: '127.0.0.1:0', onRequest: (entry) => log.push(entry) });
  cleanups.push(() => running.close());
  return { port: running.port, log };
}

const HOST = (port: number) => `Host: 127.0.0.1:${port}\r\n`;

/** The refusals Node's parser makes, the status and code each gets, and the parser code the log line names. */
const REFUSALS: [string, (port: number) => string, number, string, string][] = [
  ['a lowercase method', (port) => `get /health HTTP/1.1\r\n${HOST(port)}\r\n`, 400, 'BAD_REQUEST', 'HPE_INVALID_METHOD'],
  ['a header over 16 KiB', (port) => `GET /health HTTP/1.1\r\n${HOST(port)}X-Pad: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE', 'HPE_HEADER_OVERFLOW'],
  ['Content-Length together with Transfer-Encoding', (port) => `POST /entries HTTP/1.1\r\n${HOST(port)}Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'BAD_REQUEST', 'HPE_INVALID_TRANSFER_ENCODING'],
  ['a control character in a header', (port) => `GET /health HTTP/1.1\r\n${HOST(port)}X-Bad: a\x01b\r\n\r\n`, 400, 'BAD_REQUEST', 'HPE_INVALID_HEADER_TOKEN'],
];

describe("the bridge answers Node's parser errors in its JSON contract", () => {
  it.each(REFUSALS)('%s: the status and code Node would give, as JSON, Connection: close, one log line', async (_what, request, status, code, parserCode) => {
    const { port, log } = await bridge();
    const answer = await rawExchange(port, request(port));
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers.connection).toBe('close');
    expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
    expect(JSON.parse(answer.body)).toEqual({
      error: { code, cause: code, message: STORE_MESSAGES.TEMPORARY.en, messageJa: STORE_MESSAGES.TEMPORARY.ja, detail: expect.any(String) },
    });
    expect(log).toEqual([expect.objectContaining({ status, problem: `${code} ${parserCode}` })]);
    // It goes on serving.
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(503);
  });

  it('logs the method and path of the refused request, digit runs masked', async () => {
    const { port, log } = await bridge();
    await rawExchange(port, `get /entries/4111%2F1111%2F1111%2F1111 HTTP/1.1\r\n${HOST(port)}\r\n`);
    expect(log).toEqual([expect.objectContaining({ method: 'get', path: '/entries/[redacted]', status: 400 })]);
  });

  it('a client gone before the answer (socket already unwritable) costs nothing: logged, no crash, the bridge goes on', async () => {
    const { port, log } = await bridge();
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end(`get /health HTTP/1.1\r\n${HOST(port)}\r\n`);
        socket.destroy();
        resolve();
      });
    });
    for (let i = 0; i < 50 && log.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(503);
    expect(log.filter((entry) => entry.problem !== undefined).length).toBeLessThanOrEqual(1);
  });

  it('a pipelined bad request after a good one: the good answer arrives whole, then the connection closes', async () => {
    const { port } = await bridge();
    const answer = await rawExchange(port, `GET /nowhere HTTP/1.1\r\n${HOST(port)}\r\nget /health HTTP/1.1\r\n${HOST(port)}\r\n`);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body.slice(0, Number(answer.headers['content-length'])))).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(answer.text.match(/HTTP\/1\.1/g)).toHaveLength(1);
  });
});

describe('answerClientErrors', () => {
  it('answers headers that arrive too slowly with 408 REQUEST_TIMEOUT as JSON', async () => {
    const server = createServer({ headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 50 }, (_q, r) => r.end());
    const log: ClientErrorEntry[] = [];
    answerClientErrors(server, (entry) => log.push(entry));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const { port } = server.address() as { port: number };
    const answer = await rawExchange(port, 'GET /health HTTP/1.1\r\nHost: x\r\n');
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
    expect(log).toEqual([expect.objectContaining({ status: 408, code: 'REQUEST_TIMEOUT', parserCode: 'ERR_HTTP_REQUEST_TIMEOUT' })]);
  });
});

describe('a request body that stalls (headers complete, body never finishes)', () => {
  it('answerClientErrors closes the connection at the request timeout (no socket held for ever), logs it, and the handler sees its request aborted', async () => {
    const handled: string[] = [];
    const server = createServer({ headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 50 }, (request, response) => {
      // The bridge's own body reader, as its POST /entries handler uses it.
      readJsonBody(request).then(
        () => { handled.push('body'); response.end(); },
        () => { handled.push(`aborted ${request.destroyed || response.destroyed}`); },
      );
    });
    const log: ClientErrorEntry[] = [];
    answerClientErrors(server, (entry) => log.push(entry));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const { port } = server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (b: Buffer) => (received += b.toString('latin1')));
    socket.on('error', () => {});
    socket.write(`POST /entries HTTP/1.1\r\n${HOST(port)}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`);
    const closed = await Promise.race([
      once(socket, 'close').then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000).unref()),
    ]);
    socket.destroy();
    expect(closed).toBe(true);
    expect(received).toBe('');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT', parserCode: 'ERR_HTTP_REQUEST_TIMEOUT' });
    for (let i = 0; i < 50 && handled.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handled).toEqual(['aborted true']);
  });
});

describe("the demo store answers Node's parser errors in the same contract", () => {
  it('a lowercase method: 400 BAD_REQUEST as JSON, Connection: close, one log line', async () => {
    const lines: string[] = [];
    const store = await startDemoStore({ host: '127.0.0.1', port: 0, log: (line) => lines.push(line) });
    cleanups.push(() => store.close());
    const port = Number(new URL(store.url).port);
    const answer = await rawExchange(port, `get /api/settings HTTP/1.1\r\n${HOST(port)}\r\n`);
    expect(answer.status).toBe(400);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'BAD_REQUEST', cause: 'BAD_REQUEST', messageJa: STORE_MESSAGES.TEMPORARY.ja } });
    expect(lines).toEqual(['get /api/settings 400 0ms BAD_REQUEST HPE_INVALID_METHOD']);
  });
});
