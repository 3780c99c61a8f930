/**
 * PROTOCOL.md's device-side rules that a firmware team reads as numbers and exact field values (§5.10–§5.13,
 * §6.1, §6.5), checked against the reference keypad frame by frame on virtual time: the ACK at once, answers
 * queued at once, the KEY sent for a key that ends an entry, STATUS after a silent end and after RESET, the
 * sessionId of ERROR NO_SESSION, secondsLeft rounding, the notice reset, messages before HELLO, and the order
 * of a RESULT sent again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { ANSWER_RESENDS, VirtualKeypad } from '../../device-sim/virtual-keypad.js';
import { ACK_TIMEOUT_MS, MAX_RETRANSMISSIONS } from '../../protocol/constants.js';
import { encodeFrame, type Frame, type HostMessage } from '../../protocol/index.js';
import { attachWireHost } from './wire-host.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const NOW = () => new Date('2026-11-27T12:00:00Z');
const HELLO: HostMessage = { type: 'HELLO', minVersion: 1, maxVersion: 1 };
const start = (sessionId: number, inactivityTimeoutS = 0, reveal = 3): HostMessage => ({
  type: 'START_ENTRY', sessionId, inactivityTimeoutS, reveal, expiryRequired: true, acceptedBrands: [],
});

let keypads: VirtualKeypad[] = [];
afterEach(() => {
  for (const keypad of keypads) keypad.close();
  keypads = [];
});

function keypadAndHost() {
  const clock = new SimulatedClock();
  const keypad = new VirtualKeypad({ clock, now: NOW });
  keypads.push(keypad);
  return { clock, keypad, host: attachWireHost(keypad) };
}

describe('PROTOCOL.md §6.5 device duties', () => {
  it('ACKs a frame and queues its answer without the clock moving (0 ms of device time)', async () => {
    const { host } = keypadAndHost();
    await host.send(HELLO, 0);
    // No clock advance at all: the ACK and the INFO are already on the wire.
    expect(host.frames.map((f) => [f.message.type, f.seq])).toEqual([['ACK', 0], ['INFO', 0]]);
  });

  it('answers messages that come before any HELLO as usual (§8)', async () => {
    const { host } = keypadAndHost();
    await host.send({ type: 'GET_STATUS' }, 0);
    await host.settle();
    expect(host.messages()).toEqual([
      { type: 'STATUS', state: 'IDLE', sessionId: 0, field: 'NONE', digits: 0, secondsLeft: 0, notice: 'NONE' },
    ]);
  });

  it('sends a RESULT that failed NO_ACK again as a new message with the next seq, behind what was already queued', async () => {
    const { clock, keypad, host } = keypadAndHost();
    await host.send(HELLO, 0);
    await host.send(start(7), 1);
    await host.settle();
    for (const key of TEST_CARDS.visa) keypad.press(key as '0');
    keypad.press('enter');
    await host.settle();
    for (const key of '1230') keypad.press(key as '0');
    keypad.press('enter');
    // A host that ACKs everything but the RESULT (its ACKs of it are lost).
    const acked = new Set<Frame>();
    const isResult = (f: Frame) => f.message.type === 'RESULT';
    for (let i = 0; i < 100 && !host.frames.some(isResult); i++) {
      await tick();
      for (const f of host.frames) {
        if (f.message.type === 'ACK' || f.message.type === 'NAK' || acked.has(f) || isResult(f)) continue;
        acked.add(f);
        host.stream.push(encodeFrame({ type: 'ACK' }, f.seq, { fromDevice: false }));
      }
    }
    const result = host.frames.find(isResult)!;
    // Queued behind the RESULT before it fails: the answer to a GET_STATUS (which also keeps the host heard).
    await host.send({ type: 'GET_STATUS' }, 2);
    for (let attempt = 0; attempt <= MAX_RETRANSMISSIONS; attempt++) {
      clock.increment(ACK_TIMEOUT_MS);
      await tick();
    }
    await host.settle();
    const after = host.frames.slice(host.frames.indexOf(result) + 1).filter((f) => f.message.type !== 'ACK' && !f.retransmission);
    expect(after.map((f) => [f.message.type, f.seq])).toEqual([['STATUS', (result.seq + 1) & 0xff], ['RESULT', (result.seq + 2) & 0xff]]);
    expect(after[1]!.message).toEqual(result.message);
    expect(ANSWER_RESENDS).toBe(5);
  });
});

describe('PROTOCOL.md §5.10–§5.12 field values', () => {
  it('KEY for the CANCEL key says field NONE, digits 0, notice NONE (the entry is over); STATUS CANCELLED and ERROR follow', async () => {
    const { keypad, host } = keypadAndHost();
    await host.send(HELLO, 0);
    await host.send(start(9), 1);
    await host.settle();
    for (const key of '4111') keypad.press(key as '0');
    keypad.press('cancel');
    await host.settle();
    expect(host.messages().slice(-3)).toEqual([
      { type: 'KEY', sessionId: 9, keyClass: 'CANCEL', field: 'NONE', digits: 0, notice: 'NONE' },
      { type: 'STATUS', state: 'CANCELLED', sessionId: 9, field: 'NONE', digits: 0, secondsLeft: 0, notice: 'NONE' },
      { type: 'ERROR', sessionId: 9, code: 'CANCELLED', detail: expect.any(String) as string },
    ]);
  });

  it('KEY for an ENTER that ends the entry (a brand outside the set) says field NONE, digits 0, notice NONE', async () => {
    const { keypad, host } = keypadAndHost();
    await host.send(HELLO, 0);
    await host.send({ ...start(10), acceptedBrands: ['jcb'] } as HostMessage, 1);
    await host.settle();
    for (const key of TEST_CARDS.visa) keypad.press(key as '0');
    keypad.press('enter');
    await host.settle();
    expect(host.messages().slice(-3)).toEqual([
      { type: 'KEY', sessionId: 10, keyClass: 'ENTER', field: 'NONE', digits: 0, notice: 'NONE' },
      { type: 'STATUS', state: 'FAILED', sessionId: 10, field: 'NONE', digits: 0, secondsLeft: 0, notice: 'NONE' },
      { type: 'ERROR', sessionId: 10, code: 'UNSUPPORTED_BRAND', detail: expect.any(String) as string },
    ]);
  });

  it('the host\'s CANCEL sends no KEY: STATUS CANCELLED, then ERROR CANCELLED', async () => {
    const { keypad, host } = keypadAndHost();
    await host.send(HELLO, 0);
    await host.send(start(9), 1);
    await host.settle();
    keypad.press('4');
    await host.settle();
    const before = host.messages().length;
    await host.send({ type: 'CANCEL', sessionId: 9 }, 2);
    await host.settle();
    expect(host.messages().slice(before).map((m) => m.type === 'STATUS' ? `STATUS ${m.state}` : m.type)).toEqual(['STATUS CANCELLED', 'ERROR']);
  });

  it('ERROR NO_SESSION carries the sessionId the CANCEL named', async () => {
    const { host } = keypadAndHost();
    await host.send(HELLO, 0);
    await host.send({ type: 'CANCEL', sessionId: 77 }, 1);
    await host.settle();
    expect(host.messages().at(-1)).toMatchObject({ type: 'ERROR', sessionId: 77, code: 'NO_SESSION' });
  });

  it('after an entry ended by HELLO, STATUS says CANCELLED for that session; after RESET, IDLE and session 0', async () => {
    const { keypad, host } = keypadAndHost();
    await host.send(HELLO, 0);
    await host.send(start(12), 1);
    await host.settle();
    keypad.press('4');
    await host.send(HELLO, 0);
    await host.send({ type: 'GET_STATUS' }, 1);
    await host.settle();
    expect(host.messages().at(-1)).toEqual({
      type: 'STATUS', state: 'CANCELLED', sessionId: 12, field: 'NONE', digits: 0, secondsLeft: 0, notice: 'NONE',
    });
    await host.send({ type: 'RESET' }, 2);
    await host.settle();
    expect(host.messages().at(-1)).toEqual({ type: 'STATUS', state: 'IDLE', sessionId: 0, field: 'NONE', digits: 0, secondsLeft: 0, notice: 'NONE' });
  });

  it('secondsLeft is the inactivity time left rounded up to whole seconds; a notice lasts until the next key', async () => {
    const { clock, keypad, host } = keypadAndHost();
    await host.send(HELLO, 0);
    await host.send(start(3, 10), 1);
    await host.settle();
    expect(host.messages().at(-1)).toMatchObject({ type: 'STATUS', state: 'PAN', secondsLeft: 10 });
    for (const key of '4111') keypad.press(key as '0');
    keypad.press('enter'); // 4 digits: PAN_TOO_SHORT
    await host.settle();
    clock.increment(2500);
    await host.send({ type: 'GET_STATUS' }, 2);
    await host.settle();
    expect(host.messages().at(-1)).toMatchObject({ type: 'STATUS', state: 'PAN', digits: 4, secondsLeft: 8, notice: 'PAN_TOO_SHORT' });
    keypad.press('1');
    await host.send({ type: 'GET_STATUS' }, 3);
    await host.settle();
    expect(host.messages().at(-1)).toMatchObject({ type: 'STATUS', state: 'PAN', digits: 5, secondsLeft: 10, notice: 'NONE' });
  });

  it('RESULT.last has exactly `reveal` digits', async () => {
    for (const reveal of [0, 1, 4]) {
      const { keypad, host } = keypadAndHost();
      await host.send(HELLO, 0);
      await host.send(start(20 + reveal, 0, reveal), 1);
      await host.settle();
      for (const key of TEST_CARDS.visa) keypad.press(key as '0');
      keypad.press('enter');
      await host.settle();
      for (const key of '1230') keypad.press(key as '0');
      keypad.press('enter');
      for (let i = 0; i < 20 && !host.messages().some((m) => m.type === 'RESULT'); i++) await host.settle();
      const result = host.messages().find((m) => m.type === 'RESULT');
      expect(result?.type === 'RESULT' && result.last.length, `reveal ${reveal}`).toBe(reveal);
    }
  });
});
