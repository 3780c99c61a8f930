/**
 * POST /entries bodies (HTTP-API.md): JSON only, at most 1 KiB, known fields with valid values; each refusal a
 * clear 4xx whose detail names the problem. The keypad address points nowhere: a body that passes every check
 * gets 503 (no keypad), one that does not never gets that far.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../bridge/index.js';
import { call, startTestBridge } from './bridge-harness.js';

const NOWHERE = 'tcp://127.0.0.1:1';

async function post(body: RequestInit['body'] | undefined, headers: Record<string, string> = {}) {
  const { url } = await startTestBridge({ device: NOWHERE, connected: false });
  return call(`${url}/entries`, { method: 'POST', headers, ...(body === undefined ? {} : { body }), ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
}
const json = (text: string) => post(text, { 'Content-Type': 'application/json' });

describe('POST /entries body', () => {
  it.each([
    ['{"timeoutSeconds": 10}', 'application/json'],
    ['{"service":"gmo-pg","timeoutSeconds":300,"expiryRequired":false}', 'application/json; charset=utf-8'],
    ['{}', 'Application/JSON'],
    ['', 'application/json'],
  ])('%s as %s passes every check (then 503: no keypad)', async (body, type) => {
    const answer = await post(body, { 'Content-Type': type });
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ code: 'CONNECTION' });
  });

  it('a body of exactly 1 KiB is read', async () => {
    const body = `{"timeoutSeconds":10}`.padEnd(MAX_BODY_BYTES, ' ');
    expect((await json(body)).status).toBe(503);
  });

  it.each([
    ['not JSON at all', 'timeoutSeconds=10', /not valid JSON/],
    ['truncated JSON', '{"timeoutSeconds": 1', /not valid JSON/],
    ['an array', '[]', /JSON object/],
    ['null', 'null', /JSON object/],
    ['a number', '42', /JSON object/],
    ['an unknown field', '{"timeoutSeconds":10,"pan":"x"}', /unknown field "pan"/],
    ['a __proto__ field', '{"__proto__":{"timeoutSeconds":10}}', /unknown field "__proto__"/],
    ['timeoutSeconds 0', '{"timeoutSeconds":0}', /timeoutSeconds must be an integer from 1 to 300/],
    ['timeoutSeconds 301', '{"timeoutSeconds":301}', /timeoutSeconds/],
    ['timeoutSeconds 1.5', '{"timeoutSeconds":1.5}', /timeoutSeconds/],
    ['timeoutSeconds as a string', '{"timeoutSeconds":"60"}', /timeoutSeconds/],
    ['timeoutSeconds null', '{"timeoutSeconds":null}', /timeoutSeconds/],
    ['expiryRequired as a string', '{"expiryRequired":"yes"}', /expiryRequired must be true or false/],
    ['service as a number', '{"service":42}', /service must be/],
    ['service empty', '{"service":""}', /service must be/],
  ])('%s: 400 BAD_REQUEST, detail names the problem', async (_name, body, detail) => {
    const answer = await json(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'BAD_REQUEST', cause: 'BAD_REQUEST', message: expect.any(String), messageJa: expect.any(String) });
    expect(answer.body.error.detail).toMatch(detail);
  });

  it('the detail of invalid JSON never echoes the body', async () => {
    const answer = await json('{"note": "secret-looking text" oops}');
    expect(answer.status).toBe(400);
    expect(answer.text).not.toContain('secret-looking');
  });

  it.each([
    ['text/plain (a browser form or a "simple" fetch)', { 'Content-Type': 'text/plain' }],
    ['application/x-www-form-urlencoded', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['application/json in another charset', { 'Content-Type': 'application/json; charset=shift_jis' }],
  ])('%s: 415 UNSUPPORTED_MEDIA_TYPE', async (_name, headers) => {
    const answer = await post('{"timeoutSeconds":10}', headers);
    expect(answer.status).toBe(415);
    expect(answer.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', detail: expect.stringContaining('application/json') });
  });

  it('a body without Content-Type: 415', async () => {
    const answer = await post(new TextEncoder().encode('{"timeoutSeconds":10}'));
    expect(answer.status).toBe(415);
    expect(answer.body.error.detail).toMatch(/Content-Type missing/);
  });

  it('a body over 1 KiB (Content-Length): 413 PAYLOAD_TOO_LARGE', async () => {
    const answer = await json(`{"timeoutSeconds":10}`.padEnd(MAX_BODY_BYTES + 1, ' '));
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', detail: expect.stringContaining('1024') });
  });

  it.each([[4 * 1024], [256 * 1024]])('a chunked body of %i bytes (no Content-Length): 413, and the bridge still answers', async (size) => {
    const chunk = new TextEncoder().encode(' '.repeat(1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const { url } = await startTestBridge({ device: NOWHERE, connected: false });
    const answer = await call(`${url}/entries`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(answer.status).toBe(413);
    expect((await call(`${url}/health`)).status).toBe(503);
  });
});
