/**
 * The bridge's card entries end to end: a real simulator on a real PTY, the bridge over real HTTP, the event
 * stream read as a browser's EventSource would (HTTP-API.md "Endpoints").
 */
import { SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { STORE_MESSAGES } from '../../host-driver/index.js';
import { ENTRY_RETENTION_MS, KEEPALIVE_MS, UNWATCHED_ENTRY_GRACE_MS } from '../../bridge/index.js';
import { call, cardKeys, deleteEntry, postEntry, simulator, startTestBridge, TEST_CARDS } from './bridge-harness.js';
import { readEventStream, type ReceivedEvent } from './sse-client.js';

const eventsUrl = (url: string, created: { id: string; token: string }) => `${url}/entries/${created.id}/events?token=${created.token}`;

describe('POST /entries and its event stream', () => {
  it('streams progress, then one result with brand, last digits, KSN, ciphertext and key set, then ends', async () => {
    // A KEY for every key (no merging of reports that outrun the line, PROTOCOL.md §5.11): every count must reach the stream.
    const sim = await simulator('pty', { keys: cardKeys(TEST_CARDS.visa), mergeKeyReports: false });
    const { url } = await startTestBridge({ device: sim.address });
    const created = await postEntry(url, { timeoutSeconds: 10 });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), token: expect.any(String), events: `/entries/${created.body.id}/events` });
    expect(Buffer.from(created.body.token, 'base64url').length).toBeGreaterThanOrEqual(16);

    const stream = await readEventStream(`${url}${created.body.events}?token=${created.body.token}`);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const names = stream.events.map((e) => e.event);
    expect(names.at(-1)).toBe('result');
    expect(names.slice(0, -1).every((n) => n === 'progress')).toBe(true);
    expect(stream.events.map((e) => e.id)).toEqual(stream.events.map((_, i) => String(i + 1)));
    const panDigits = stream.events.filter((e) => e.event === 'progress' && e.data.field === 'PAN' && e.data.key === 'DIGIT').map((e) => e.data.digits);
    expect(panDigits).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const result = stream.events.at(-1)!.data;
    expect(Object.keys(result).sort()).toEqual(['brand', 'encryptedBlock', 'keySerialNumber', 'keySetId', 'last', 'sessionId']);
    expect(result).toMatchObject({ brand: 'visa', last: TEST_CARDS.visa.slice(-3) });
    expect(result.keySerialNumber).toMatch(/^[0-9a-f]{24}$/);
    expect(result.encryptedBlock).toMatch(/^([0-9a-f]{2}){32,}$/);
    expect(result.keySetId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('reads without the expiry when expiryRequired is false', async () => {
    const sim = await simulator('pty', { keys: `${TEST_CARDS.jcb}<enter>` });
    const { url } = await startTestBridge({ device: sim.address });
    const created = await postEntry(url, { expiryRequired: false });
    const stream = await readEventStream(eventsUrl(url, created.body));
    expect(stream.events.at(-1)).toMatchObject({ event: 'result', data: { brand: 'jcb' } });
    expect(stream.events.some((e) => e.data.field === 'EXPIRY')).toBe(false);
  });

  it('takes an empty body (no Content-Type) as all defaults', async () => {
    const sim = await simulator('pty', { keys: cardKeys(TEST_CARDS.mastercard) });
    const { url } = await startTestBridge({ device: sim.address });
    const created = await postEntry(url);
    expect(created.status).toBe(201);
    const stream = await readEventStream(eventsUrl(url, created.body));
    expect(stream.events.find((e) => e.event === 'progress')?.data.secondsLeft).toBeLessThanOrEqual(60);
    expect(stream.events.at(-1)).toMatchObject({ event: 'result', data: { brand: 'mastercard' } });
  });

  it('DELETE cancels a running entry: 200 cancelled, and the stream gets cancelled by host', async () => {
    const sim = await simulator('pty');
    const { url, bridge } = await startTestBridge({ device: sim.address });
    const created = (await postEntry(url, { timeoutSeconds: 30 })).body;
    let deleted: Promise<Awaited<ReturnType<typeof deleteEntry>>> | undefined;
    const stream = await readEventStream(eventsUrl(url, created), {
      onEvent: (event) => {
        if (event.event === 'progress' && event.data.state === 'PAN' && !deleted) deleted = deleteEntry(url, created.id, created.token);
      },
    });
    expect((await deleted!).body).toEqual({ state: 'cancelled' });
    expect(stream.events.at(-1)).toEqual({
      id: String(stream.events.length), event: 'cancelled',
      data: { code: 'CANCELLED', by: 'host', message: expect.any(String), messageJa: expect.any(String) },
    });
    expect(stream.events.filter((e) => e.event !== 'progress')).toHaveLength(1);
    expect(bridge.health().busy).toBe(false);
    // Cancelling again is not an error: the entry has ended.
    expect((await deleteEntry(url, created.id, created.token)).body).toEqual({ state: 'ended', outcome: 'cancelled' });
  });

  it("the keypad's cancel key ends the stream with cancelled by keypad", async () => {
    const sim = await simulator('pty', { keys: '41<cancel>' });
    const { url } = await startTestBridge({ device: sim.address });
    const created = (await postEntry(url)).body;
    const stream = await readEventStream(eventsUrl(url, created));
    expect(stream.events.at(-1)).toMatchObject({ event: 'cancelled', data: { code: 'CANCELLED', by: 'keypad' } });
    expect((await deleteEntry(url, created.id, created.token)).body).toEqual({ state: 'ended', outcome: 'cancelled' });
  });

  it('no key within timeoutSeconds: error ENTRY_TIMEOUT with the store message', async () => {
    const sim = await simulator('pty');
    const { url } = await startTestBridge({ device: sim.address });
    const created = (await postEntry(url, { timeoutSeconds: 1 })).body;
    const stream = await readEventStream(eventsUrl(url, created));
    expect(stream.events.at(-1)).toMatchObject({
      event: 'error', data: { code: 'ENTRY_TIMEOUT', cause: 'TIMEOUT', messageJa: STORE_MESSAGES.ENTRY_TIMEOUT.ja },
    });
    expect((await deleteEntry(url, created.id, created.token)).body).toEqual({ state: 'ended', outcome: 'error' });
  });

  it('a second POST while one entry runs gets 409 TEMPORARY / ENTRY_IN_PROGRESS; after it ends a new one starts', async () => {
    const sim = await simulator('pty');
    const { url } = await startTestBridge({ device: sim.address });
    const first = (await postEntry(url)).body;
    const second = await postEntry(url);
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'TEMPORARY', cause: 'ENTRY_IN_PROGRESS', messageJa: STORE_MESSAGES.TEMPORARY.ja });
    expect((await call(`${url}/health`)).body).toMatchObject({ status: 'connected', busy: true });
    await deleteEntry(url, first.id, first.token);
    const third = await postEntry(url);
    expect(third.status).toBe(201);
    expect(third.body.id).not.toBe(first.id);
  });

  it('a late subscriber gets every event from the first; Last-Event-ID gets the rest; an ended stream with nothing left is 204', async () => {
    // A KEY for every key (§5.11 merging off), so the stream is long enough to resume from event 10.
    const sim = await simulator('pty', { keys: cardKeys(TEST_CARDS.discover), mergeKeyReports: false });
    const { url } = await startTestBridge({ device: sim.address });
    const created = (await postEntry(url)).body;
    const live = await readEventStream(eventsUrl(url, created));
    const late = await readEventStream(eventsUrl(url, created));
    expect(late.events).toEqual(live.events);
    expect(late.raw).toBe(live.raw);

    const resumed = await readEventStream(eventsUrl(url, created), { headers: { 'Last-Event-ID': '10' } });
    expect(resumed.events).toEqual(live.events.slice(10));
    expect(resumed.events[0]?.id).toBe('11');

    const lastId = live.events.at(-1)!.id!;
    const nothingLeft = await call(eventsUrl(url, created), { headers: { 'Last-Event-ID': lastId } });
    expect(nothingLeft.status).toBe(204);
  });

  it('a subscriber that reconnects mid-entry with Last-Event-ID misses nothing and sees nothing twice', async () => {
    const sim = await simulator('pty', { keys: `4111<wait:300>111111111111<enter>1230<enter>` });
    const { url } = await startTestBridge({ device: sim.address });
    const created = (await postEntry(url)).body;
    // First connection: read until the 4th digit, then drop it as a flaky network would.
    const controller = new AbortController();
    const firstPart: ReceivedEvent[] = [];
    await readEventStream(eventsUrl(url, created), {
      signal: controller.signal,
      onEvent: (e) => {
        firstPart.push(e);
        if (e.data.digits === 4) controller.abort();
      },
    });
    expect(firstPart.at(-1)?.event).toBe('progress');
    const rest = await readEventStream(eventsUrl(url, created), { headers: { 'Last-Event-ID': firstPart.at(-1)!.id! } });
    expect(rest.events[0]?.event).toBe('progress');
    const all = [...firstPart, ...rest.events];
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => String(i + 1)));
    expect(all.at(-1)?.event).toBe('result');
  });

  it('a per-entry service decides the accepted brands; an unknown one is 400 CONNECTION / UNKNOWN_SERVICE', async () => {
    const sim = await simulator('pty', { keys: cardKeys(TEST_CARDS['american-express']) });
    const { url } = await startTestBridge({ device: sim.address });
    const unknown = await postEntry(url, { service: 'no-such-service' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'CONNECTION', cause: 'UNKNOWN_SERVICE', messageJa: STORE_MESSAGES.CONNECTION.ja });

    const refused = (await postEntry(url, { service: 'visa-master' })).body;
    const stream = await readEventStream(eventsUrl(url, refused));
    expect(stream.events.at(-1)).toMatchObject({ event: 'error', data: { code: 'CARD_SERVICE', cause: 'UNSUPPORTED_BRAND' } });

    const accepted = (await postEntry(url, { service: 'temona-payment-g' })).body;
    expect((await readEventStream(eventsUrl(url, accepted))).events.at(-1)).toMatchObject({ event: 'result', data: { brand: 'american-express' } });
  });

  it("the bridge's --service applies to entries that name none", async () => {
    const sim = await simulator('pty', { keys: cardKeys(TEST_CARDS.discover) });
    const { url } = await startTestBridge({ device: sim.address, service: 'visa-master' });
    const created = (await postEntry(url)).body;
    expect((await readEventStream(eventsUrl(url, created))).events.at(-1)).toMatchObject({ event: 'error', data: { code: 'CARD_SERVICE' } });
  });
});

describe('entry lifetime on the bridge clock', () => {
  it(`forgets an ended entry ${ENTRY_RETENTION_MS / 1000} s after it ended (then 404 NO_SUCH_ENTRY), and sends a keepalive every ${KEEPALIVE_MS / 1000} s`, async () => {
    const clock = new SimulatedClock();
    const sim = await simulator('pty');
    const { url } = await startTestBridge({ device: sim.address, clock });
    const created = (await postEntry(url, { timeoutSeconds: 30 })).body;
    let opened!: () => void;
    let sawKeepalive!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const keepalive = new Promise<void>((resolve) => (sawKeepalive = resolve));
    const streamDone = readEventStream(eventsUrl(url, created), {
      onEvent: (e) => e.data.state === 'PAN' && opened(),
      onComment: (comment) => comment === 'keepalive' && sawKeepalive(),
    });
    await open;
    clock.increment(KEEPALIVE_MS - 1);
    clock.increment(1);
    await keepalive;

    await deleteEntry(url, created.id, created.token);
    const stream = await streamDone;
    expect(stream.events.at(-1)?.event).toBe('cancelled');
    expect(stream.comments).toEqual(['keepalive']);
    clock.increment(ENTRY_RETENTION_MS - 1);
    expect((await deleteEntry(url, created.id, created.token)).status).toBe(200);
    clock.increment(1);
    const gone = await deleteEntry(url, created.id, created.token);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ code: 'NO_SUCH_ENTRY', detail: expect.any(String) });
  });

  it(`cancels a running entry nobody subscribed to within ${UNWATCHED_ENTRY_GRACE_MS / 1000} s (by host), freeing the keypad`, async () => {
    const clock = new SimulatedClock();
    const sim = await simulator('pty');
    const { url, bridge } = await startTestBridge({ device: sim.address, clock });
    const created = (await postEntry(url, { timeoutSeconds: 30 })).body;
    await expect.poll(() => sim.keypad.activeSessionId).toBeDefined();
    clock.increment(UNWATCHED_ENTRY_GRACE_MS - 1);
    expect(bridge.health().busy).toBe(true);
    clock.increment(1);
    await expect.poll(() => bridge.health().busy).toBe(false);
    expect(sim.keypad.activeSessionId).toBeUndefined();
    const late = await readEventStream(eventsUrl(url, created));
    expect(late.events.at(-1)).toMatchObject({ event: 'cancelled', data: { code: 'CANCELLED', by: 'host' } });
    expect((await postEntry(url)).status).toBe(201);
  });

  it('keeps an entry while a subscriber is back within the grace; cancels it once the last one has been gone that long', async () => {
    const clock = new SimulatedClock();
    const sim = await simulator('pty');
    const { url, bridge, requests } = await startTestBridge({ device: sim.address, clock });
    const created = (await postEntry(url, { timeoutSeconds: 30 })).body;
    const closedStreams = () => requests.filter((r) => r.method === 'GET' && r.path.endsWith('/events')).length;
    /** Opens the stream and resolves at its first event (the bridge counts it as watched by then) with the drop. */
    const subscribe = async (): Promise<{ drop: () => Promise<void> }> => {
      const controller = new AbortController();
      let first!: () => void;
      const gotEvent = new Promise<void>((resolve) => (first = resolve));
      const done = readEventStream(eventsUrl(url, created), { signal: controller.signal, onEvent: () => first() });
      await gotEvent;
      return {
        drop: async () => {
          const before = closedStreams();
          controller.abort();
          await done;
          await expect.poll(closedStreams).toBe(before + 1); // the bridge has seen the stream close
        },
      };
    };
    await (await subscribe()).drop();
    clock.increment(UNWATCHED_ENTRY_GRACE_MS - 1);
    const back = await subscribe(); // just in time, as an EventSource reconnecting
    clock.increment(UNWATCHED_ENTRY_GRACE_MS * 3); // any length of time while someone watches
    expect(bridge.health().busy).toBe(true);
    await back.drop();
    clock.increment(UNWATCHED_ENTRY_GRACE_MS - 1);
    expect(bridge.health().busy).toBe(true);
    expect(sim.keypad.activeSessionId).toBeDefined();
    clock.increment(1);
    await expect.poll(() => bridge.health().busy).toBe(false);
    expect((await deleteEntry(url, created.id, created.token)).body).toEqual({ state: 'ended', outcome: 'cancelled' });
  });
});
