/**
 * The bridge's bench hook (BridgeOptions.benchEvents) for the browser-latency floor: GET /bench/events exists only
 * when a bench asks for it, streams exactly the values it is given as `progress` events, and keeps the bridge's
 * request policy (a foreign Origin is refused as on every other endpoint).
 */
import { describe, expect, it } from 'vitest';
import type { BareEventSource } from '../../bridge/index.js';
import { call, startTestBridge } from '../bridge/bridge-harness.js';
import { readEventStream } from '../bridge/sse-client.js';

const NO_KEYPAD = 'tcp://127.0.0.1:1';

/** A source whose listeners are counted, so the test sends only once the stream is subscribed. */
function bareEvents(): BareEventSource & { send(data: unknown): void; readonly subscribers: number } {
  const listeners = new Set<(data: unknown) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    send(data) {
      for (const listener of listeners) listener(data);
    },
    get subscribers() {
      return listeners.size;
    },
  };
}

describe('GET /bench/events (BridgeOptions.benchEvents)', () => {
  it('is no endpoint at all by default', async () => {
    const { url } = await startTestBridge({ device: NO_KEYPAD, connected: false });
    const answer = await call(`${url}/bench/events`);
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('NOT_FOUND');
  });

  it('streams each value the source gives as a numbered progress event, and unsubscribes when the client leaves', async () => {
    const source = bareEvents();
    const { url } = await startTestBridge({ device: NO_KEYPAD, connected: false, benchEvents: source });
    const leave = new AbortController();
    const reading = readEventStream(`${url}/bench/events`, {
      signal: leave.signal,
      onEvent: (event) => {
        if (event.id === '2') leave.abort();
      },
    });
    await expect.poll(() => source.subscribers).toBe(1);
    source.send({ field: 'PAN', digits: 1 });
    source.send({ field: 'PAN', digits: 2 });
    const read = await reading;
    expect(read.status).toBe(200);
    expect(read.contentType).toBe('text/event-stream; charset=utf-8');
    expect(read.events).toEqual([
      { id: '1', event: 'progress', data: { field: 'PAN', digits: 1 } },
      { id: '2', event: 'progress', data: { field: 'PAN', digits: 2 } },
    ]);
    await expect.poll(() => source.subscribers).toBe(0);
  });

  it('refuses an Origin the bridge does not allow, as every endpoint does', async () => {
    const source = bareEvents();
    const { url } = await startTestBridge({ device: NO_KEYPAD, connected: false, benchEvents: source, allowOrigins: ['http://shop.example'] });
    const answer = await call(`${url}/bench/events`, { headers: { Origin: 'http://evil.example' } });
    expect(answer.status).toBe(403);
    expect(source.subscribers).toBe(0);
  });
});
