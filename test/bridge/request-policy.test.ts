/** The policy every request passes (HTTP-API.md "Policy applied to every request"): Origin/CORS, Host, tokens, routes. */
import { describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import { allowedHosts } from '../../bridge/request-policy.js';
import { STORE_MESSAGES } from '../../host-driver/index.js';
import { call, deleteEntry, postEntry, rawRequest, simulator, startTestBridge } from './bridge-harness.js';
import { readEventStream } from './sse-client.js';

const SHOP = 'https://shop.example.com';
/** A keypad address where nothing listens: requests that never reach the keypad need none. */
const NOWHERE = 'tcp://127.0.0.1:1';

describe('Origin and CORS', () => {
  it('a listed origin gets Access-Control-Allow-Origin and Vary: Origin', async () => {
    const { url } = await startTestBridge({ device: NOWHERE, allowOrigins: [SHOP], connected: false });
    const answer = await call(`${url}/health`, { headers: { Origin: SHOP } });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(answer.headers.get('vary')).toBe('Origin');
  });

  it('an allowed origin written with a trailing slash or upper case matches what browsers send', async () => {
    const { url } = await startTestBridge({ device: NOWHERE, allowOrigins: ['HTTPS://Shop.Example.com/'], connected: false });
    expect((await call(`${url}/health`, { headers: { Origin: SHOP } })).headers.get('access-control-allow-origin')).toBe(SHOP);
  });

  it.each([['another site', 'https://evil.example'], ['the listed host on another port', `${SHOP}:8443`], ['http instead of https', 'http://shop.example.com'], ['an opaque origin', 'null']])(
    '%s gets 403 FORBIDDEN_ORIGIN without CORS headers',
    async (_name, origin) => {
      const { url } = await startTestBridge({ device: NOWHERE, allowOrigins: [SHOP], connected: false });
      const answer = await call(`${url}/health`, { headers: { Origin: origin } });
      expect(answer.status).toBe(403);
      expect(answer.body.error).toMatchObject({ code: 'FORBIDDEN_ORIGIN', messageJa: STORE_MESSAGES.TEMPORARY.ja, detail: expect.any(String) });
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it('a POST from an unlisted origin starts nothing', async () => {
    const sim = await simulator('pty');
    const { url, bridge } = await startTestBridge({ device: sim.address, allowOrigins: [SHOP] });
    const answer = await postEntry(url, {}, { Origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(bridge.health().busy).toBe(false);
  });

  it('a request without Origin (curl, a backend on this PC) is served without CORS headers', async () => {
    const { url } = await startTestBridge({ device: NOWHERE, allowOrigins: [SHOP], connected: false });
    const answer = await call(`${url}/health`);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each(['/health', '/entries', '/entries/abc', '/entries/abc/events'])('preflight OPTIONS %s from a listed origin: 204 with methods, headers, max-age', async (path) => {
    const { url } = await startTestBridge({ device: NOWHERE, allowOrigins: [SHOP], connected: false });
    const answer = await call(`${url}${path}`, {
      method: 'OPTIONS',
      headers: { Origin: SHOP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE');
    expect(answer.headers.get('access-control-allow-headers')).toBe('Content-Type, Authorization');
    expect(answer.headers.get('access-control-max-age')).toBe('600');
  });

  it("preflight asking for Chrome's Private Network Access from a listed origin gets Access-Control-Allow-Private-Network", async () => {
    const { url } = await startTestBridge({ device: NOWHERE, allowOrigins: [SHOP], connected: false });
    const init = (extra: Record<string, string>) => ({ method: 'OPTIONS', headers: { Origin: SHOP, 'Access-Control-Request-Method': 'POST', ...extra } });
    const asked = await call(`${url}/entries`, init({ 'Access-Control-Request-Private-Network': 'true' }));
    expect(asked.status).toBe(204);
    expect(asked.headers.get('access-control-allow-private-network')).toBe('true');
    expect((await call(`${url}/entries`, init({}))).headers.get('access-control-allow-private-network')).toBeNull();
  });

  it('preflight from an unlisted origin: 403', async () => {
    const { url } = await startTestBridge({ device: NOWHERE, allowOrigins: [SHOP], connected: false });
    const answer = await call(`${url}/entries`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('Host guard', () => {
  it.each(['127.0.0.1', 'localhost', '[::1]'])('Host %s with the listen port is served on loopback', async (host) => {
    const { url, bridge } = await startTestBridge({ device: NOWHERE, connected: false });
    const answer = await rawRequest(url, { path: '/health', host: `${host}:${bridge.port}` });
    expect(answer.status).toBe(503);
  });

  it.each([['a rebinding DNS name', 'evil.example'], ['another port', 'wrong-port'], ['no Host at all', 'none']])('%s: 403 FORBIDDEN_HOST', async (_name, kind) => {
    const { url, bridge } = await startTestBridge({ device: NOWHERE, connected: false });
    const host = kind === 'evil.example' ? `evil.example:${bridge.port}` : kind === 'wrong-port' ? `127.0.0.1:${bridge.port + 1}` : null;
    const answer = await rawRequest(url, { path: '/health', host });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text).error).toMatchObject({ code: 'FORBIDDEN_HOST' });
  });
});

describe('allowed Host values', () => {
  it('a private IP names only itself', () => {
    expect([...allowedHosts('192.168.0.10', 7781)]).toEqual(['192.168.0.10:7781']);
  });

  it('loopback names the three loopback spellings', () => {
    expect([...allowedHosts('127.0.0.1', 7781)].sort()).toEqual(['127.0.0.1:7781', '[::1]:7781', 'localhost:7781']);
  });

  it("a wildcard address names loopback and every address of this PC's interfaces", () => {
    const hosts = allowedHosts('0.0.0.0', 7781);
    expect(hosts).toContain('localhost:7781');
    for (const a of Object.values(networkInterfaces()).flat()) {
      if (a) expect(hosts).toContain(`${a.family === 'IPv6' ? `[${a.address}]` : a.address}:7781`);
    }
    expect(hosts).not.toContain('evil.example:7781');
  });

  it('port 80 may be left out, as browsers do', () => {
    expect(allowedHosts('192.168.0.10', 80)).toEqual(new Set(['192.168.0.10:80', '192.168.0.10']));
  });
});

describe('entry tokens and ids', () => {
  it('GET events and DELETE without the token or with a wrong one: 401 BAD_TOKEN; unknown id: 404 NO_SUCH_ENTRY', async () => {
    const sim = await simulator('pty');
    const { url, bridge } = await startTestBridge({ device: sim.address });
    const { id, token } = (await postEntry(url)).body;
    const wrong = `${token.slice(0, -2)}AA` === token ? `${token.slice(0, -2)}BB` : `${token.slice(0, -2)}AA`;
    for (const answer of [
      await call(`${url}/entries/${id}/events`),
      await call(`${url}/entries/${id}/events?token=${wrong}`),
      await call(`${url}/entries/${id}/events?token=`),
      await call(`${url}/entries/${id}`, { method: 'DELETE' }),
      await deleteEntry(url, id, wrong),
      await deleteEntry(url, id, token.slice(0, 10)),
    ]) {
      expect(answer.status).toBe(401);
      expect(answer.body.error).toMatchObject({ code: 'BAD_TOKEN', cause: 'BAD_TOKEN' });
    }
    expect(bridge.health().busy).toBe(true);
    const unknown = await call(`${url}/entries/not-an-entry/events?token=${token}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'NO_SUCH_ENTRY' });
    expect((await deleteEntry(url, 'not-an-entry', token)).status).toBe(404);
    // The right token, in either place, works.
    expect((await deleteEntry(url, id, token)).body).toEqual({ state: 'cancelled' });
    expect((await readEventStream(`${url}/entries/${id}/events?token=${token}`)).events.at(-1)?.event).toBe('cancelled');
  });

  it('another entry\'s token does not open this one', async () => {
    const sim = await simulator('pty');
    const { url } = await startTestBridge({ device: sim.address });
    const first = (await postEntry(url)).body;
    await deleteEntry(url, first.id, first.token);
    const second = (await postEntry(url)).body;
    expect((await deleteEntry(url, second.id, first.token)).status).toBe(401);
    expect((await deleteEntry(url, first.id, second.token)).status).toBe(401);
  });
});

describe('routes', () => {
  it.each(['/', '/health/', '/entries/a/b/c', '/favicon.ico'])('%s: 404 NOT_FOUND', async (path) => {
    const { url } = await startTestBridge({ device: NOWHERE, connected: false });
    const answer = await call(`${url}${path}`);
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it.each([['POST', '/health', 'GET, OPTIONS'], ['GET', '/entries', 'POST, OPTIONS'], ['PUT', '/entries/x', 'DELETE, OPTIONS'], ['DELETE', '/entries/x/events', 'GET, OPTIONS']])(
    '%s %s: 405 METHOD_NOT_ALLOWED with Allow',
    async (method, path, allow) => {
      const { url } = await startTestBridge({ device: NOWHERE, connected: false });
      const answer = await call(`${url}${path}`, { method });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe(allow);
      expect(answer.body.error).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    },
  );

  it('logs one line per request: method, path without the query, status, duration', async () => {
    const sim = await simulator('pty');
    const { url, requests } = await startTestBridge({ device: sim.address });
    const { id, token } = (await postEntry(url)).body;
    await deleteEntry(url, id, token);
    await readEventStream(`${url}/entries/${id}/events?token=${token}`);
    await call(`${url}/nowhere?x=1`);
    expect(requests.map(({ method, path, status }) => `${method} ${path} ${status}`)).toEqual([
      'POST /entries 201', `DELETE /entries/${id} 200`, `GET /entries/${id}/events 200`, 'GET /nowhere 404',
    ]);
    expect(requests.every((r) => Number.isInteger(r.durationMs) && r.durationMs >= 0)).toBe(true);
    expect(JSON.stringify(requests)).not.toContain(token);
  });
});
