/**
 * KEY reports on a line slower than the keys (PROTOCOL.md §5.11): a DIGIT report still waiting to go out is replaced
 * by the newer count instead of queueing behind it; any other key, and any key with a notice, always goes out.
 * A line that keeps up (every report ACKed before the next key) still carries one KEY per key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { keyReportSupersedes } from '../../device-sim/firmware/key-progress.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { VirtualKeypad, type VirtualKeypadOptions } from '../../device-sim/virtual-keypad.js';
import type { KeypadKey } from '../../device-sim/entry/keys.js';
import { ACK_TIMEOUT_MS, decodeFrame, encodeFrame, LinkEndpoint, type DeviceMessage, type Frame, type HostMessage, type KeyMessage } from '../../protocol/index.js';
import { attachWireHost, type WireHost } from './wire-host.js';

const NOW = () => new Date('2026-11-27T12:00:00Z');
const digitKey = (digits: number, overrides: Partial<KeyMessage> = {}): KeyMessage => ({
  type: 'KEY', sessionId: 7, keyClass: 'DIGIT', field: 'PAN', digits, notice: 'NONE', ...overrides,
});

describe('keyReportSupersedes', () => {
  it('lets a plain DIGIT report replace only a plain DIGIT report of the same session and field', () => {
    expect(keyReportSupersedes(digitKey(2), digitKey(1))).toBe(true);
    expect(keyReportSupersedes(digitKey(2), digitKey(1, { sessionId: 8 }))).toBe(false);
    expect(keyReportSupersedes(digitKey(4, { field: 'EXPIRY' }), digitKey(4, { field: 'EXPIRY' }))).toBe(false); // a digit the full field ignored
    expect(keyReportSupersedes(digitKey(2), digitKey(1, { field: 'EXPIRY' }))).toBe(false);
    expect(keyReportSupersedes(digitKey(2), digitKey(1, { keyClass: 'BACKSPACE' }))).toBe(false);
    expect(keyReportSupersedes(digitKey(2), digitKey(1, { keyClass: 'ENTER', notice: 'INVALID_PAN' }))).toBe(false);
    expect(keyReportSupersedes(digitKey(2), digitKey(19, { notice: 'PAN_TOO_LONG' }))).toBe(false);
    expect(keyReportSupersedes(digitKey(2, { keyClass: 'ENTER' }), digitKey(1))).toBe(false);
    expect(keyReportSupersedes(digitKey(2, { notice: 'PAN_TOO_LONG' }), digitKey(1))).toBe(false);
    expect(keyReportSupersedes(digitKey(2), { type: 'STATUS', state: 'PAN', sessionId: 7, field: 'PAN', digits: 1, secondsLeft: 60, notice: 'NONE' })).toBe(false);
  });
});

describe('LinkEndpoint.replaceNewestQueued', () => {
  function deviceLink() {
    const sent: Frame[] = [];
    const link = new LinkEndpoint({
      role: 'device', clock: new SimulatedClock(), write: (bytes) => {
        const decoded = decodeFrame(bytes.subarray(0, bytes.length - 1));
        if (decoded.ok) sent.push(decoded.frame);
      },
    });
    const ack = (seq: number) => {
      const decoded = decodeFrame(encodeFrame({ type: 'ACK' }, seq, { fromDevice: false }).subarray(0, -1));
      if (!decoded.ok) throw decoded.error;
      link.receiveFrame(decoded.frame);
    };
    return { link, sent, ack };
  }
  const any = () => true;

  it('replaces the newest queued message in place: same seq, and its sender learns of the ACK', async () => {
    const { link, sent, ack } = deviceLink();
    const first = link.send(digitKey(1)); // on the wire at once
    const second = link.send(digitKey(2)); // queued, seq 1
    expect(link.replaceNewestQueued(digitKey(3), any)).toBe(true);
    expect(link.replaceNewestQueued(digitKey(4), any)).toBe(true);
    ack(0);
    expect(sent.map((f) => [f.seq, (f.message as KeyMessage).digits])).toEqual([[0, 1], [1, 4]]);
    ack(1);
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    expect(link.stats.replaced).toBe(2);
  });

  it('leaves the frame on the wire as it was: its retransmission is byte for byte the same after a merge behind it', () => {
    const clock = new SimulatedClock();
    const written: Buffer[] = [];
    const link = new LinkEndpoint({ role: 'device', clock, write: (bytes) => { written.push(Buffer.from(bytes)); } });
    link.send(digitKey(1)).catch(() => {});
    link.send(digitKey(2)).catch(() => {});
    expect(link.replaceNewestQueued(digitKey(3), any)).toBe(true);
    clock.increment(ACK_TIMEOUT_MS);
    expect(written).toHaveLength(2);
    expect(written[1]).toEqual(encodeFrame(digitKey(1), 0, { retransmission: true }));
    link.close();
  });

  it('never touches the message on the wire, one not at the tail, one the test refuses, or a closed link', () => {
    const { link, sent, ack } = deviceLink();
    link.send(digitKey(1)).catch(() => {});
    expect(link.replaceNewestQueued(digitKey(2), any)).toBe(false); // in flight only: nothing queued to replace
    link.send(digitKey(2)).catch(() => {});
    link.send({ type: 'STATUS', state: 'EXPIRY', sessionId: 7, field: 'EXPIRY', digits: 0, secondsLeft: 60, notice: 'NONE' }).catch(() => {});
    expect(link.replaceNewestQueued(digitKey(3), (queued) => queued.type === 'KEY')).toBe(false); // the KEY is not the newest
    ack(0);
    ack(1);
    ack(2);
    expect(sent.filter((f) => f.message.type !== 'ACK').map((f) => f.message.type)).toEqual(['KEY', 'KEY', 'STATUS']);
    link.send(digitKey(4)).catch(() => {});
    link.send(digitKey(5)).catch(() => {});
    expect(link.replaceNewestQueued(digitKey(6), () => false)).toBe(false);
    link.close();
    expect(link.replaceNewestQueued(digitKey(6), any)).toBe(false);
    expect(link.stats.replaced).toBe(0);
  });

  it('refuses a message its role cannot send, or one the encoder refuses, and keeps the queued one', () => {
    const { link, sent, ack } = deviceLink();
    link.send(digitKey(1)).catch(() => {});
    link.send(digitKey(2)).catch(() => {});
    expect(link.replaceNewestQueued({ type: 'PING', nonce: 1 } as unknown as DeviceMessage, any)).toBe(false);
    expect(link.replaceNewestQueued(digitKey(300), any)).toBe(false);
    ack(0);
    expect((sent.at(-1)!.message as KeyMessage).digits).toBe(2);
  });
});

describe('the keypad on a line slower than the keys', () => {
  let keypads: VirtualKeypad[] = [];
  afterEach(() => {
    for (const keypad of keypads) keypad.close();
    keypads = [];
  });

  async function startedEntry(options: VirtualKeypadOptions = {}): Promise<{ keypad: VirtualKeypad; host: WireHost }> {
    const keypad = new VirtualKeypad({ clock: new SimulatedClock(), now: NOW, ...options });
    keypads.push(keypad);
    const host = attachWireHost(keypad);
    await host.send({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, 0);
    await host.settle();
    const start: HostMessage = { type: 'START_ENTRY', sessionId: 7, inactivityTimeoutS: 0, reveal: 3, expiryRequired: true, acceptedBrands: [] };
    await host.send(start, 1);
    await host.settle();
    return { keypad, host };
  }

  const keysOf = (messages: DeviceMessage[]) => messages.flatMap((m) => (m.type === 'KEY' ? [`${m.keyClass} ${m.field} ${m.digits} ${m.notice}`] : []));
  const typeAll = (keypad: VirtualKeypad, keys: readonly string[]) => { for (const key of keys) keypad.press(key as KeypadKey); };

  it('sends the newest digit count instead of a backlog; ENTERs, states and the RESULT all still go out', async () => {
    const { keypad, host } = await startedEntry();
    const before = host.messages().length;
    typeAll(keypad, [...TEST_CARDS.visa, 'enter', ...'1230', 'enter']); // all at once: faster than any round trip
    await host.settle();
    const entry = host.messages().slice(before);
    expect(keysOf(entry)).toEqual([
      'DIGIT PAN 1 NONE', 'DIGIT PAN 16 NONE', 'ENTER EXPIRY 0 NONE',
      'DIGIT EXPIRY 4 NONE', 'ENTER NONE 0 NONE', // the first expiry digit waited behind STATUS EXPIRY: replaced too
    ]);
    expect(entry.filter((m) => m.type === 'STATUS').map((m) => m.type === 'STATUS' && m.state)).toEqual(['EXPIRY', 'PROCESSING', 'DONE']);
    expect(entry.at(-1)).toMatchObject({ type: 'RESULT', sessionId: 7, brand: 'visa', last: '111' });
    // Seq numbers stay gap-free: a replaced report kept its place, nothing was skipped.
    const seqs = host.frames.filter((f) => f.message.type !== 'ACK' && !f.retransmission).map((f) => f.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
  });

  it('never folds a key that carries a notice, a BACKSPACE or a CLEAR into the digits after it', async () => {
    const { keypad, host } = await startedEntry();
    const before = host.messages().length;
    typeAll(keypad, [...TEST_CARDS['luhn-fail'], 'enter', '4', '1', 'backspace', '1', '1', 'clear', '4', '1']);
    await host.settle();
    expect(keysOf(host.messages().slice(before))).toEqual([
      'DIGIT PAN 1 NONE', 'DIGIT PAN 16 NONE', 'ENTER PAN 0 INVALID_PAN',
      'DIGIT PAN 2 NONE', 'BACKSPACE PAN 1 NONE', 'DIGIT PAN 3 NONE', 'CLEAR PAN 0 NONE', 'DIGIT PAN 2 NONE',
    ]);
  });

  it('never merges a digit the full expiry field ignored: the rise of a merged report is exactly its keys', async () => {
    const { keypad, host } = await startedEntry();
    typeAll(keypad, [...TEST_CARDS.visa, 'enter']);
    await host.settle();
    const before = host.messages().length;
    typeAll(keypad, [...'12305']); // the fifth digit does not fit MMYY: ignored, still reported
    await host.settle();
    expect(keysOf(host.messages().slice(before))).toEqual(['DIGIT EXPIRY 1 NONE', 'DIGIT EXPIRY 4 NONE', 'DIGIT EXPIRY 4 NONE']);
  });

  it('reports every key however fast they come when merging is off (mergeKeyReports: false)', async () => {
    const { keypad, host } = await startedEntry({ mergeKeyReports: false });
    const before = host.messages().length;
    typeAll(keypad, [...TEST_CARDS.visa]);
    await host.settle();
    expect(keysOf(host.messages().slice(before))).toEqual([...TEST_CARDS.visa].map((_, i) => `DIGIT PAN ${i + 1} NONE`));
  });

  it('reports every key when the line keeps up (each KEY acknowledged before the next key)', async () => {
    const { keypad, host } = await startedEntry();
    const before = host.messages().length;
    for (const key of TEST_CARDS.visa) {
      keypad.press(key as KeypadKey);
      await host.settle();
    }
    expect(keysOf(host.messages().slice(before))).toEqual([...TEST_CARDS.visa].map((_, i) => `DIGIT PAN ${i + 1} NONE`));
  });
});
