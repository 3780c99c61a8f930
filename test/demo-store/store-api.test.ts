/**
 * The demo store's JSON API and static pages over real HTTP: settings, the store messages (from the one
 * table), the card token for a keypad result and the 与信 outcomes as the page sees them, and the refusals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encryptCardEntry } from '../../device-sim/crypto/card-block.js';
import { createTestDukptDevice } from '../../device-sim/crypto/test-keys.js';
import { ALL_TEST_CARD_NUMBERS, AUTHORIZATION_TEST_CARDS, TEST_CARDS } from '../../device-sim/test-cards.js';
import { STORE_MESSAGES, TENKEY_ERROR_CODES } from '../../host-driver/errors.js';
import { DEFAULT_STORE_SETTINGS, startDemoStore, type RunningDemoStore, type StoreSettings } from '../../demo-store/index.js';
import { findCardNumbers } from '../capture/pan-scan.js';
import { rawRequest } from '../bridge/bridge-harness.js';

const stores: RunningDemoStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function store(settings: Partial<StoreSettings> = {}): Promise<{ url: string; log: string[]; running: RunningDemoStore }> {
  const log: string[] = [];
  const running = await startDemoStore({ port: 0, settings, log: (line) => log.push(line) });
  stores.push(running);
  return { url: running.url, log, running };
}

async function call(url: string, method = 'GET', body?: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) {
  const res = await fetch(url, { method, headers: body === undefined ? {} : headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : undefined };
}

const digitsOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0) - 0x30);
const device = createTestDukptDevice();
/** What the bridge's `result` event carries for this card (hex, as the page forwards it). */
function entryResult(pan: string, expiry = '1230') {
  const block = encryptCardEntry(device, { panDigits: digitsOf(pan), expiry: digitsOf(expiry) });
  return {
    keySerialNumber: Buffer.from(block.keySerialNumber).toString('hex'),
    encryptedBlock: Buffer.from(block.encryptedBlock).toString('hex'),
    keySetId: '1234567890123456',
  };
}

describe('the demo store API', () => {
  it('serves the settings with the bridge defaults 127.0.0.1 / 7781 and changes them with PUT', async () => {
    const { url, running } = await store();
    expect((await call(`${url}/api/settings`)).json).toEqual({ ...DEFAULT_STORE_SETTINGS, bridgeHost: '127.0.0.1', bridgePort: 7781 });
    const changed = await call(`${url}/api/settings`, 'PUT', { service: 'テモナペイメントG', keypadInput: false, bridgePort: 7790 });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ service: 'temona-payment-g', keypadInput: false, bridgePort: 7790, bridgeHost: '127.0.0.1' });
    expect(running.settings.keypadInput).toBe(false);
  });

  it.each([
    [{ bridgePort: 0 }, 'bridgePort'],
    [{ bridgePort: '7781' }, 'bridgePort'],
    [{ bridgeHost: 'not an ip' }, 'bridgeHost'],
    [{ service: 'nope' }, 'service'],
    [{ keypadInput: 'ON' }, 'keypadInput'],
    [{ entryTimeoutSeconds: 301 }, 'entryTimeoutSeconds'],
    [{ colour: 'blue' }, 'colour'],
  ])('refuses the setting %j with 400 naming %s, and keeps the settings', async (change, field) => {
    const { url, running } = await store();
    const answer = await call(`${url}/api/settings`, 'PUT', change);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ code: 'BAD_REQUEST', cause: 'BAD_SETTING' });
    expect(answer.json.error.detail).toContain(field);
    expect(running.settings).toEqual(DEFAULT_STORE_SETTINGS);
  });

  it('serves the four store messages from host-driver STORE_MESSAGES, and the card services', async () => {
    const { url } = await store();
    expect((await call(`${url}/api/store-messages`)).json).toEqual(Object.fromEntries(TENKEY_ERROR_CODES.map((c) => [c, STORE_MESSAGES[c].ja])));
    const services = (await call(`${url}/api/card-services`)).json as { id: string; nameJa: string }[];
    expect(services).toContainEqual({ id: 'visa-master', nameJa: 'Visa/Mastercard のみ' });
  });

  it('turns a keypad result into a card token with brand and last 3 digits, and approves it once', async () => {
    const { url, log } = await store();
    const card = await call(`${url}/api/cards`, 'POST', entryResult(TEST_CARDS.visa));
    expect(card.status).toBe(201);
    expect(card.json).toEqual({ token: expect.stringMatching(/^tok_[0-9a-f]{32}$/), brand: 'visa', last3: TEST_CARDS.visa.slice(-3) });
    const approved = await call(`${url}/api/authorizations`, 'POST', { token: card.json.token, amount: 3980 });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ status: 'approved', amount: 3980, brand: 'visa', last3: TEST_CARDS.visa.slice(-3) });
    const again = await call(`${url}/api/authorizations`, 'POST', { token: card.json.token, amount: 3980 });
    expect(again.status).toBe(422);
    expect(again.json.error).toMatchObject({ code: 'TEMPORARY', cause: 'UNKNOWN_TOKEN', messageJa: STORE_MESSAGES.TEMPORARY.ja });
    expect(findCardNumbers([card.text, approved.text, ...log].join('\n'), ALL_TEST_CARD_NUMBERS)).toEqual([]);
    expect(log.some((l) => /^POST \/api\/cards 201 \d+ms$/.test(l))).toBe(true);
  });

  it('gives a keypad result posted twice (a resubmitted form, a copied request) one token: the second is 409 REPLAYED_KSN, ENTRY_TIMEOUT', async () => {
    const { url } = await store();
    const result = entryResult(TEST_CARDS.visa);
    expect((await call(`${url}/api/cards`, 'POST', result)).status).toBe(201);
    const again = await call(`${url}/api/cards`, 'POST', result);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'ENTRY_TIMEOUT', cause: 'REPLAYED_KSN', messageJa: STORE_MESSAGES.ENTRY_TIMEOUT.ja });
    expect(again.json.token).toBeUndefined();
    expect((await call(`${url}/api/cards`, 'POST', entryResult(TEST_CARDS.visa))).status).toBe(201); // the next entry is fine
  });

  it('with acceptedKsnFile, a restarted store still refuses a result the last one accepted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenkey-store-ksns-'));
    try {
      const acceptedKsnFile = join(dir, 'accepted-ksns.json');
      const result = entryResult(TEST_CARDS.visa);
      const first = await startDemoStore({ port: 0, acceptedKsnFile });
      stores.push(first);
      expect((await call(`${first.url}/api/cards`, 'POST', result)).status).toBe(201);
      await first.close();
      const restarted = await startDemoStore({ port: 0, acceptedKsnFile });
      stores.push(restarted);
      expect((await call(`${restarted.url}/api/cards`, 'POST', result)).json.error).toMatchObject({ code: 'ENTRY_TIMEOUT', cause: 'REPLAYED_KSN' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['the declined test card', 'declined', 402, 'CARD_SERVICE', 'DECLINED'],
    ['the insufficient-funds test card', 'insufficient-funds', 402, 'CARD_SERVICE', 'INSUFFICIENT_FUNDS'],
    ['the unavailable test card', 'unavailable', 503, 'TEMPORARY', 'SERVICE_UNAVAILABLE'],
  ] as const)('answers 与信 on %s with %i and the store message for %s', async (_what, name, status, code, cause) => {
    const { url } = await store();
    const card = await call(`${url}/api/cards`, 'POST', entryResult(AUTHORIZATION_TEST_CARDS[name]));
    const answer = await call(`${url}/api/authorizations`, 'POST', { token: card.json.token, amount: 100 });
    expect(answer.status).toBe(status);
    expect(answer.json.error).toMatchObject({ code, cause, messageJa: STORE_MESSAGES[code].ja });
  });

  it('refuses a card whose brand the chosen 利用サービス does not take (CARD_SERVICE)', async () => {
    const { url } = await store({ service: 'visa-master' });
    const answer = await call(`${url}/api/cards`, 'POST', entryResult(TEST_CARDS.jcb));
    expect(answer.status).toBe(422);
    expect(answer.json.error).toMatchObject({ code: 'CARD_SERVICE', cause: 'UNSUPPORTED_BRAND', messageJa: STORE_MESSAGES.CARD_SERVICE.ja });
  });

  it.each([
    ['an unknown field (a card number cannot ride along)', '/api/cards', { ...entryResult(TEST_CARDS.visa), pan: 'x' }, 400, 'UNKNOWN_FIELD'],
    ['a result under another key set', '/api/cards', { ...entryResult(TEST_CARDS.visa), keySetId: 'ffffffffffffffff' }, 422, 'UNKNOWN_KEY_SET'],
    ['ciphertext that is not hex', '/api/cards', { keySerialNumber: 'zz', encryptedBlock: 'zz' }, 422, 'BAD_INPUT'],
    ['a missing token', '/api/authorizations', { amount: 1 }, 400, 'BAD_FIELD'],
    ['an amount that is not a whole number of yen', '/api/authorizations', { token: 'tok_x', amount: 1.5 }, 400, 'BAD_FIELD'],
    ['invalid JSON', '/api/cards', '{"keySerialNumber":', 400, 'INVALID_JSON'],
    ['a JSON array', '/api/cards', '[]', 400, 'NOT_AN_OBJECT'],
  ])('refuses %s with a typed error', async (_what, path, body, status, cause) => {
    const { url } = await store();
    const answer = await call(`${url}${path}`, 'POST', body);
    expect(answer.status).toBe(status);
    expect(answer.json.error.cause).toBe(cause);
    expect(answer.json.error.messageJa).toBe(STORE_MESSAGES[answer.json.error.code === 'CARD_SERVICE' ? 'CARD_SERVICE' : 'TEMPORARY'].ja);
  });

  it('refuses a body that is not JSON (415), too large (413), a wrong method (405) and an unknown endpoint (404)', async () => {
    const { url } = await store();
    expect((await call(`${url}/api/cards`, 'POST', 'a=1', { 'Content-Type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await call(`${url}/api/cards`, 'POST', { keySerialNumber: 'ab'.repeat(4000), encryptedBlock: '00' })).status).toBe(413);
    const wrong = await fetch(`${url}/api/cards`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await call(`${url}/api/nothing`)).json.error.code).toBe('NOT_FOUND');
  });
});

describe('the demo store pages', () => {
  it.each(['/customers.html', '/order-new.html', '/orders.html', '/subscriptions.html', '/settings.html'])('serves %s as HTML', async (path) => {
    const { url } = await store();
    const page = await call(`${url}${path}`);
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<html lang="ja">');
  });

  it('serves the browser modules as JavaScript and nothing outside demo-store/public', async () => {
    const { url } = await store();
    expect((await call(`${url}/js/keypad-card-entry.js`)).type).toBe('text/javascript; charset=utf-8');
    for (const path of ['/%2e%2e/%2e%2e/package.json', '/..%2fpackage.json', '/js/../../store-server.ts', '/nothing.html']) {
      expect((await call(`${url}${path}`)).status).toBe(404);
    }
  });

  it('logs one line per request: method, path, status, duration — no query string, no body', async () => {
    const { url, log } = await store();
    await call(`${url}/api/cards?token=secret`, 'POST', entryResult(TEST_CARDS.visa));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^POST \/api\/cards 201 \d+ms$/);
  });
});

describe('what the demo store echoes and logs', () => {
  const pan = TEST_CARDS.visa;
  it.each([
    ['a field name of POST /api/cards', '/api/cards', 'POST', { [pan]: 'x' }],
    ['a field value of POST /api/cards', '/api/cards', 'POST', { keySerialNumber: pan, encryptedBlock: pan }],
    ['a field name of PUT /api/settings', '/api/settings', 'PUT', { [pan]: 'x' }],
    ['a field value of PUT /api/settings', '/api/settings', 'PUT', { bridgeHost: pan, service: pan }],
    ['a path under /api', `/api/${pan}`, 'GET', undefined],
    ['a page path', `/${pan}`, 'GET', undefined],
    ['a spaced path', `/${pan.replace(/(\d{4})(?=\d)/g, '$1%20')}`, 'GET', undefined],
  ])('never sends back or logs a TEST card number sent as %s', async (_what, path, method, body) => {
    const { url, log } = await store();
    const answer = await call(`${url}${path}`, method, body);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.json.error.code).toMatch(/^(BAD_REQUEST|NOT_FOUND|TEMPORARY)$/);
    expect(log).toHaveLength(1);
    expect(findCardNumbers([answer.text, ...log].join('\n'), ALL_TEST_CARD_NUMBERS)).toEqual([]);
    expect([answer.text, ...log].join('\n')).not.toMatch(/\d{6}/);
  });

  it('still names the unknown field, with its digits masked', async () => {
    const { url } = await store();
    const answer = await call(`${url}/api/cards`, 'POST', { [`pan${pan}`]: 'x' });
    expect(answer.json.error).toMatchObject({ cause: 'UNKNOWN_FIELD', detail: 'unknown field "pan[redacted]"' });
  });
});

describe('the Host guard (DNS rebinding)', () => {
  it.each([['another name', 'evil.example:7782'], ['no Host at all', null]] as const)('refuses a request with %s: 403 FORBIDDEN_HOST', async (_what, host) => {
    const { url, log } = await store();
    for (const path of ['/api/settings', '/customers.html']) {
      const answer = await rawRequest(url, { path, host });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.text).error).toMatchObject({ code: 'FORBIDDEN_HOST', messageJa: STORE_MESSAGES.TEMPORARY.ja });
    }
    expect(log.every((line) => / 403 \d+ms$/.test(line))).toBe(true);
  });

  it('answers the names of its loopback address: 127.0.0.1 and localhost with its port', async () => {
    const { url } = await store();
    const { port } = new URL(url);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) expect((await rawRequest(url, { path: '/api/settings', host })).status).toBe(200);
  });
});
