/**
 * The keypad firmware's answers to START_ENTRY and HELLO, driven frame by frame on virtual time: refusals that
 * must come at once, the brand set an entry really uses, the device calendar, and a HELLO whose ACK was lost.
 */
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { MAX_COUNTER } from '../../device-sim/crypto/aes-dukpt.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { VirtualKeypad, type SessionEnd, type VirtualKeypadOptions } from '../../device-sim/virtual-keypad.js';
import { ACK_TIMEOUT_MS, LINK_DEAD_AFTER_MS, MAX_RETRANSMISSIONS, MAX_UNWRITTEN_BYTES, PING_INTERVAL_MS } from '../../protocol/constants.js';
import { encodeFrame, type Brand, type DeviceMessage, type HostMessage } from '../../protocol/index.js';
import { attachWireHost, type WireHost } from './wire-host.js';

const NOW = () => new Date('2026-11-27T12:00:00Z');
const HELLO: HostMessage = { type: 'HELLO', minVersion: 1, maxVersion: 1 };
const start = (sessionId: number, acceptedBrands: Brand[] = []): HostMessage => ({
  type: 'START_ENTRY', sessionId, inactivityTimeoutS: 0, reveal: 3, expiryRequired: true, acceptedBrands,
});

let keypads: VirtualKeypad[] = [];
afterEach(() => {
  for (const keypad of keypads) keypad.close();
  keypads = [];
});

async function keypadWithHost(options: VirtualKeypadOptions = {}): Promise<{ keypad: VirtualKeypad; host: WireHost; clock: SimulatedClock }> {
  const clock = new SimulatedClock();
  const keypad = new VirtualKeypad({ clock, now: NOW, ...options });
  keypads.push(keypad);
  const host = attachWireHost(keypad);
  await host.send(HELLO, 0);
  await host.settle();
  return { keypad, host, clock };
}

/** Types a card and its expiry, letting the host ACK as it goes; returns how the entry ended. */
async function typeCard(keypad: VirtualKeypad, host: WireHost, pan: string, expiry = '1230'): Promise<DeviceMessage | undefined> {
  for (const key of pan) keypad.press(key as '0');
  keypad.press('enter');
  await host.settle();
  for (const key of expiry) keypad.press(key as '0');
  keypad.press('enter');
  await host.settle();
  return host.messages().filter((m) => m.type === 'RESULT' || m.type === 'ERROR').at(-1);
}

describe('HELLO', () => {
  it('answers a HELLO whose ACK was lost once: the retransmission is ACKed, not answered again', async () => {
    const { keypad, host } = await keypadWithHost();
    await host.send(start(9), 1); // the STATUS it pushes is never ACKed: the old host is gone
    keypad.press('4');
    const infosBefore = host.messages().filter((m) => m.type === 'INFO').length;
    await host.send(HELLO, 0); // a new host ...
    await host.send(HELLO, 0, { retransmission: true }); // ... whose ACK was lost
    await host.settle();
    expect(host.messages().filter((m) => m.type === 'INFO')).toHaveLength(infosBefore + 1);
    const acksOfSeq0 = host.frames.filter((f) => f.message.type === 'ACK' && f.seq === 0);
    expect(acksOfSeq0).toHaveLength(3); // first host's HELLO, the new HELLO and its repeat
    expect(keypad.activeSessionId).toBeUndefined();
  });
});

describe('START_ENTRY with the DUKPT key used up', () => {
  it('is refused at once with ERROR KEY_EXHAUSTED (fault exhaust-key): no session, no keys taken', async () => {
    const { keypad, host } = await keypadWithHost({ faults: 'exhaust-key' });
    await host.send(start(5), 1);
    await host.settle();
    expect(host.messages().slice(1)).toEqual([
      { type: 'ERROR', sessionId: 5, code: 'KEY_EXHAUSTED', detail: 'DUKPT key counter exhausted' },
    ]);
    expect(keypad.activeSessionId).toBeUndefined();
    expect(keypad.press('4')).toBe(false);
  });

  it('is refused at once after the entry that spent the last counter', async () => {
    const { keypad, host } = await keypadWithHost({ keyCounter: MAX_COUNTER });
    await host.send(start(1), 1);
    expect(await typeCard(keypad, host, TEST_CARDS.visa)).toMatchObject({ type: 'RESULT', sessionId: 1 });
    const before = host.messages().length;
    await host.send(start(2), 2);
    await host.settle();
    expect(host.messages().slice(before)).toEqual([expect.objectContaining({ type: 'ERROR', sessionId: 2, code: 'KEY_EXHAUSTED' })]);
    expect(keypad.activeSessionId).toBeUndefined();
  });
});

describe('accepted brands: the host narrows the configured service, never widens it', () => {
  it.each([
    ['all', [], 'jcb', 'RESULT'],
    ['all', ['visa'], 'jcb', 'UNSUPPORTED_BRAND'],
    ['visa-master', [], 'jcb', 'UNSUPPORTED_BRAND'],
    ['visa-master', ['jcb', 'visa'], 'jcb', 'UNSUPPORTED_BRAND'],
    ['visa-master', ['jcb', 'visa'], 'visa', 'RESULT'],
    ['visa-master', ['mastercard'], 'visa', 'UNSUPPORTED_BRAND'],
  ] as const)('service %s, host %j, card %s → %s', async (service, brands, card, outcome) => {
    const { keypad, host } = await keypadWithHost({ service });
    await host.send(start(3, [...brands]), 1);
    await host.settle();
    const end = await typeCard(keypad, host, TEST_CARDS[card]);
    expect(end?.type === 'ERROR' ? end.code : end?.type).toBe(outcome);
  });

  it('refuses START_ENTRY at once with BAD_REQUEST when the two sets share no brand', async () => {
    const { keypad, host } = await keypadWithHost({ service: 'visa-master' });
    await host.send(start(4, ['jcb']), 1);
    await host.settle();
    expect(host.messages().slice(1)).toEqual([expect.objectContaining({ type: 'ERROR', sessionId: 4, code: 'BAD_REQUEST' })]);
    expect(keypad.activeSessionId).toBeUndefined();
  });
});

describe('device calendar', () => {
  it('reads the date in UTC, whatever the local time zone', async () => {
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo'; // 2026-11-30T20:00Z is already 1 December in Tokyo
    try {
      const { keypad, host } = await keypadWithHost({ now: () => new Date('2026-11-30T20:00:00Z') });
      expect(new Date('2026-11-30T20:00:00Z').getMonth()).toBe(11); // the zone really is in effect
      await host.send(start(6), 1);
      await host.settle();
      expect(await typeCard(keypad, host, TEST_CARDS.visa, '1126')).toMatchObject({ type: 'RESULT', sessionId: 6 });
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});

describe('a message the host never acknowledged (NO_ACK, PROTOCOL.md §6.4)', () => {
  /** Runs the virtual clock forward in small steps, letting the in-memory wire deliver between them. */
  async function advance(clock: SimulatedClock, ms: number, step = 50): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      clock.increment(step);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('from a host still heard loses that one frame only: the entry goes on and its RESULT arrives', async () => {
    const { keypad, host, clock } = await keypadWithHost();
    const ends: SessionEnd[] = [];
    keypad.on('session-end', (end) => ends.push(end));
    await host.send(start(7), 1);
    await host.settle();
    keypad.press('4'); // its KEY and every retransmission of it are lost on a noisy line ...
    const lost = host.frames.at(-1)!;
    expect(lost.message).toMatchObject({ type: 'KEY', sessionId: 7, digits: 1 });
    await advance(clock, 500);
    await host.send({ type: 'PING', nonce: 1 }, 2); // ... while the host's PINGs still get through
    await advance(clock, (MAX_RETRANSMISSIONS + 1) * ACK_TIMEOUT_MS);
    expect(host.frames.filter((f) => f.message.type === 'KEY' && f.seq === lost.seq)).toHaveLength(MAX_RETRANSMISSIONS + 1);
    await host.settle(); // the PONG queued behind the lost KEY goes out after it
    expect(host.messages().at(-1)).toEqual({ type: 'PONG', nonce: 1 });
    await advance(clock, LINK_DEAD_AFTER_MS + 500);
    expect(keypad.activeSessionId).toBe(7);
    expect(ends).toEqual([]);

    const end = await typeCard(keypad, host, TEST_CARDS.visa.slice(1));
    expect(end).toMatchObject({ type: 'RESULT', sessionId: 7, brand: 'visa' });
    expect(ends).toMatchObject([{ sessionId: 7, outcome: 'done' }]);
  });

  it('a RESULT lost to a host still heard is sent again, as a new message', async () => {
    const { keypad, host, clock } = await keypadWithHost();
    await host.send(start(10), 1);
    await host.settle();
    for (const key of TEST_CARDS.visa) keypad.press(key as '0');
    keypad.press('enter');
    await host.settle();
    for (const key of '1230') keypad.press(key as '0');
    keypad.press('enter'); // from here on nothing the device sends is acknowledged, but the host keeps PINGing
    let seq = 2;
    for (let round = 0; round < 20 && !host.messages().some((m) => m.type === 'RESULT'); round++) {
      await host.send({ type: 'PING', nonce: seq }, seq);
      seq++;
      await advance(clock, PING_INTERVAL_MS);
    }
    const first = host.frames.find((f) => f.message.type === 'RESULT')!;
    expect(first.message).toMatchObject({ type: 'RESULT', sessionId: 10, brand: 'visa' });
    for (let round = 0; round < 4 && host.frames.filter((f) => f.message.type === 'RESULT' && !f.retransmission).length < 2; round++) {
      await host.send({ type: 'PING', nonce: seq }, seq);
      seq++;
      await advance(clock, PING_INTERVAL_MS);
    }
    await host.settle();
    const copies = host.frames.filter((f) => f.message.type === 'RESULT' && !f.retransmission);
    expect(copies.length).toBeGreaterThanOrEqual(2);
    expect(copies[1]!.seq).not.toBe(first.seq);
    expect(copies[1]!.message).toEqual(first.message);
  });

  it('from a host silent for LINK_DEAD_AFTER_MS: the entry ends without a word and nothing queued goes out', async () => {
    const { keypad, host, clock } = await keypadWithHost();
    const ends: SessionEnd[] = [];
    keypad.on('session-end', (end) => ends.push(end));
    await host.send(start(8), 1);
    await host.settle(); // the last thing heard from the host: its ACK of the STATUS
    for (const key of '4111') keypad.press(key as '4'); // four KEYs queued; nobody answers any more
    await advance(clock, LINK_DEAD_AFTER_MS - 50);
    expect(keypad.activeSessionId).toBe(8); // NO_ACKs so far, but the host is not silent long enough yet
    await advance(clock, 100);
    expect(ends).toEqual([{ sessionId: 8, outcome: 'aborted', error: null, brand: null, last: '' }]);
    const written = host.frames.length;
    await advance(clock, 5000);
    expect(host.frames).toHaveLength(written); // the KEYs still queued were dropped, not sent
  });
});

describe('a START_ENTRY whose ACK the keypad cannot write (the host stopped reading, PEER_NOT_READING)', () => {
  for (const closeOnDrop of [true, false]) {
    it(`drops the host and starts no session (${closeOnDrop ? 'TCP: connection closed' : 'PTY: link reset'})`, async () => {
      const keypad = new VirtualKeypad({ clock: new SimulatedClock(), now: NOW });
      keypads.push(keypad);
      // A host that never reads: nothing written is ever taken.
      const stream = new Duplex({ read() {}, write() {} });
      keypad.attach(stream, { closeOnDrop });
      const dropped: string[] = [];
      keypad.on('host-dropped', (error) => dropped.push(error.code));
      const states: string[] = [];
      keypad.on('state', (state) => states.push(state));
      stream.push(encodeFrame(HELLO, 0));
      await new Promise((resolve) => setImmediate(resolve));
      expect(dropped).toEqual([]);
      // Fill the write budget to the byte: the next frame the keypad writes, START_ENTRY's ACK, is refused.
      stream.write(Buffer.alloc(MAX_UNWRITTEN_BYTES - stream.writableLength));
      stream.push(encodeFrame(start(4), 1));
      await new Promise((resolve) => setImmediate(resolve));
      expect(dropped).toEqual(['PEER_NOT_READING']);
      expect(keypad.activeSessionId).toBeUndefined();
      expect(keypad.press('4')).toBe(false);
      expect(states).toEqual([]);
      expect(stream.destroyed).toBe(closeOnDrop);
    });
  }
});
