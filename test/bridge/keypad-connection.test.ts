/** GET /health and entries while the keypad comes and goes (HTTP-API.md "GET /health", "POST /entries" 503). */
import { describe, expect, it } from 'vitest';
import { STORE_MESSAGES } from '../../host-driver/index.js';
import { call, postEntry, simulator, startTestBridge } from './bridge-harness.js';
import { readEventStream } from './sse-client.js';

describe('keypad connection', () => {
  it('GET /health: 200 connected, with the INFO of the keypad and not busy', async () => {
    const sim = await simulator('pty');
    const { url } = await startTestBridge({ device: sim.address });
    const health = await call(`${url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      status: 'connected', busy: false, address: sim.address,
      device: { model: 'TENKEY-SIM', firmwareVersion: expect.any(String), serialNumber: expect.any(String), keySetId: expect.stringMatching(/^[0-9a-f]{16}$/), acceptedBrands: expect.any(Array) },
    });
  });

  it('keypad unplugged mid-entry: the stream gets error CONNECTION, /health turns 503; plugged back, it is connected again', async () => {
    const sim = await simulator('pty');
    const { url, keypadStatus } = await startTestBridge({ device: sim.address });
    const created = (await postEntry(url, { timeoutSeconds: 30 })).body;
    const stream = await readEventStream(`${url}/entries/${created.id}/events?token=${created.token}`, {
      onEvent: (e) => {
        if (e.data.state === 'PAN') void sim.vanish();
      },
    });
    expect(stream.events.at(-1)).toMatchObject({ event: 'error', data: { code: 'CONNECTION', messageJa: STORE_MESSAGES.CONNECTION.ja } });

    const down = await call(`${url}/health`);
    expect(down.status).toBe(503);
    expect(['reconnecting', 'disconnected']).toContain(down.body.status);
    expect(down.body).toMatchObject({ busy: false, error: { code: 'CONNECTION' } });
    const refused = await postEntry(url);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: 'CONNECTION' });

    await sim.reappear();
    await keypadStatus('connected');
    const up = await call(`${url}/health`);
    expect(up.status).toBe(200);
    expect(up.body.error).toBeUndefined();
  });

  it('keypad absent at start: /health 503 connecting and POST 503 CONNECTION, until it appears', async () => {
    const sim = await simulator('pty');
    await sim.vanish();
    const { url, keypadStatus, keypadChange, changes } = await startTestBridge({ device: sim.address, connected: false });
    // The first failed attempt names why.
    await keypadChange((health) => health.error !== undefined);
    const health = await call(`${url}/health`);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'connecting', busy: false, address: sim.address, error: { code: 'CONNECTION', cause: 'ENOENT' } });
    expect(health.body.device).toBeUndefined();
    const refused = await postEntry(url);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: 'CONNECTION', cause: 'ENOENT', messageJa: STORE_MESSAGES.CONNECTION.ja });

    await sim.reappear();
    await keypadStatus('connected');
    expect((await call(`${url}/health`)).status).toBe(200);
    expect((await postEntry(url)).status).toBe(201);
    // One change line per status or cause, not one per retry.
    expect(changes.map((c) => c.status)).toEqual(['connecting', 'connected']);
  });

  it('a keypad address where nothing listens: connecting, cause ECONNREFUSED, and the bridge keeps answering', async () => {
    const { url, keypadChange } = await startTestBridge({ device: 'tcp://127.0.0.1:1', connected: false });
    await keypadChange((health) => health.error !== undefined);
    const health = await call(`${url}/health`);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'connecting', error: { code: 'CONNECTION', cause: 'ECONNREFUSED' } });
  });
});
