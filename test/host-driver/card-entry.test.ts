import { SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { CardEntry, HOST_GUARD_SLACK_S } from '../../host-driver/card-entry.js';
import { TenkeyCancelledError, TenkeyError, tenkeyError } from '../../host-driver/errors.js';
import type { EntryProgress } from '../../host-driver/events.js';
import type { DeviceInfo } from '../../host-driver/results.js';
import { ENTRY_SESSION_CAP_S, STATUS_PROBE_AFTER_MS } from '../../protocol/constants.js';
import type { DeviceMessage, EntryFieldName, EntryNoticeName, EntryStateName, KeyClassName } from '../../protocol/index.js';

const device: DeviceInfo = {
  address: 'tcp://127.0.0.1:7780', model: 'SIM', firmwareVersion: '1', serialNumber: 'S1', keySetId: '00'.repeat(8), protocolVersion: 1, acceptedBrands: [],
};

function entry(sessionId = 7) {
  const clock = new SimulatedClock();
  const progress: EntryProgress[] = [];
  const e = new CardEntry({
    sessionId, timeoutSeconds: 30, reveal: 3, expiryRequired: true, clock, device: () => device, onProgress: (p) => progress.push(p),
  });
  return { e, clock, progress };
}

describe('CardEntry', () => {
  it('reports STATUS and KEY as progress with counts only, then resolves on RESULT', async () => {
    const { e, progress } = entry();
    e.handle({ type: 'STATUS', state: 'PAN', sessionId: 7, field: 'PAN', digits: 0, secondsLeft: 30, notice: 'NONE' });
    e.handle({ type: 'KEY', sessionId: 7, keyClass: 'DIGIT', field: 'PAN', digits: 1, notice: 'NONE' });
    e.handle({ type: 'KEY', sessionId: 7, keyClass: 'ENTER', field: 'EXPIRY', digits: 0, notice: 'NONE' });
    e.handle({
      type: 'RESULT', sessionId: 7, brand: 'visa', last: '111', keySerialNumber: new Uint8Array(12).fill(0xab), encryptedBlock: new Uint8Array([1, 2, 255]),
    });
    const outcome = await e.outcome;
    expect(outcome).toEqual({
      ok: true,
      result: { brand: 'visa', last: '111', keySerialNumber: 'ab'.repeat(12), encryptedBlock: '0102ff', sessionId: 7, device },
    });
    expect(progress.map((p) => [p.state, p.field, p.digits, p.key])).toEqual([
      ['PAN', 'PAN', 0, undefined], ['PAN', 'PAN', 1, 'DIGIT'], ['EXPIRY', 'EXPIRY', 0, 'ENTER'], ['DONE', 'NONE', 0, undefined],
    ]);
  });

  it('reports PROCESSING when ENTER leaves the last field, not the field it left with zero digits', () => {
    const { e, progress } = entry();
    e.handle({ type: 'KEY', sessionId: 7, keyClass: 'DIGIT', field: 'EXPIRY', digits: 4, notice: 'NONE' });
    e.handle({ type: 'KEY', sessionId: 7, keyClass: 'ENTER', field: 'NONE', digits: 0, notice: 'NONE' });
    expect(progress.map((p) => [p.state, p.field, p.digits])).toEqual([['EXPIRY', 'EXPIRY', 4], ['PROCESSING', 'NONE', 0]]);
  });

  it('ignores messages of other sessions', () => {
    const { e, progress } = entry(7);
    e.handle({ type: 'ERROR', sessionId: 8, code: 'TIMEOUT', detail: '' });
    e.handle({ type: 'KEY', sessionId: 6, keyClass: 'DIGIT', field: 'PAN', digits: 1, notice: 'NONE' });
    expect(e.settled).toBe(false);
    expect(progress).toEqual([]);
  });

  it('maps a device ERROR through the table and the cancel key to a keypad cancellation', async () => {
    const a = entry();
    a.e.handle({ type: 'ERROR', sessionId: 7, code: 'UNSUPPORTED_BRAND', detail: 'brand 7' });
    expect(await a.e.outcome).toMatchObject({ ok: false, error: { code: 'CARD_SERVICE', reason: 'UNSUPPORTED_BRAND' } });
    expect(a.progress.at(-1)?.state).toBe('FAILED');

    const b = entry();
    b.e.handle({ type: 'ERROR', sessionId: 7, code: 'CANCELLED', detail: '' });
    const outcome = await b.e.outcome;
    expect(!outcome.ok && outcome.error).toBeInstanceOf(TenkeyCancelledError);
    expect(!outcome.ok && outcome.error).toMatchObject({ code: 'CANCELLED', by: 'keypad' });
    expect(b.progress.at(-1)?.state).toBe('CANCELLED');
  });

  it('the cancel key\'s KEY does not end the entry: its final STATUS and ERROR CANCELLED do (§9.3), with one progress event for the end', async () => {
    const { e, progress } = entry();
    e.handle({ type: 'KEY', sessionId: 7, keyClass: 'DIGIT', field: 'PAN', digits: 3, notice: 'NONE' });
    e.handle({ type: 'KEY', sessionId: 7, keyClass: 'CANCEL', field: 'NONE', digits: 0, notice: 'NONE' });
    expect(e.settled).toBe(false);
    e.handle({ type: 'STATUS', state: 'CANCELLED', sessionId: 7, field: 'NONE', digits: 0, secondsLeft: 0, notice: 'NONE' });
    expect(e.settled).toBe(false);
    e.handle({ type: 'ERROR', sessionId: 7, code: 'CANCELLED', detail: 'cancel key' });
    const outcome = await e.outcome;
    expect(!outcome.ok && outcome.error).toMatchObject({ code: 'CANCELLED', by: 'keypad' });
    expect(progress.map((p) => p.state)).toEqual(['PAN', 'CANCELLED']);
  });

  it.each([
    ['BUSY', 'TEMPORARY'], ['UNSUPPORTED_VERSION', 'TEMPORARY'], ['KEY_EXHAUSTED', 'TEMPORARY'], ['INTERNAL', 'TEMPORARY'], ['NO_SESSION', 'TEMPORARY'],
  ] as const)('ends at once on a session-0 ERROR %s (the device refusing us as a whole): %s through the table', async (code, outcome) => {
    const { e, progress } = entry(7);
    e.handle({ type: 'ERROR', sessionId: 0, code, detail: 'another host is connected' });
    expect(e.settled).toBe(true);
    expect(await e.outcome).toMatchObject({ ok: false, error: { code: outcome, reason: code, detail: 'device: session 0: another host is connected' } });
    expect(progress.at(-1)?.state).toBe('FAILED');
  });

  it.each(['CANCELLED', 'TIMEOUT', 'INVALID_CARD'] as const)(
    'ends on a session-0 ERROR %s as an out-of-turn answer, never as the person cancelling or an entry outcome',
    async (code) => {
      const { e } = entry(7);
      e.handle({ type: 'ERROR', sessionId: 0, code, detail: '' });
      expect(e.settled).toBe(true);
      const outcome = await e.outcome;
      expect(!outcome.ok && outcome.error).toBeInstanceOf(TenkeyError);
      expect(outcome).toMatchObject({ ok: false, error: { code: 'TEMPORARY', reason: 'UNEXPECTED_ANSWER' } });
    },
  );

  it('redacts long digit runs in device error details', async () => {
    const { e } = entry();
    e.handle({ type: 'ERROR', sessionId: 7, code: 'INTERNAL', detail: 'oops 4111111111111111' });
    const outcome = await e.outcome;
    expect(!outcome.ok && (outcome.error as TenkeyError).detail).toBe('device: oops [redacted]');
  });

  it('settles once: the first outcome wins', async () => {
    const { e } = entry();
    e.fail(new TenkeyCancelledError('host'));
    e.fail(tenkeyError('LINK_DEAD'));
    e.handle({ type: 'RESULT', sessionId: 7, brand: 'visa', last: '1', keySerialNumber: new Uint8Array(12), encryptedBlock: new Uint8Array(1) });
    expect(await e.outcome).toMatchObject({ ok: false, error: { code: 'CANCELLED', by: 'host' } });
  });

  it("ends with ENTRY_TIMEOUT when the keypad never answers within its own cap plus the host's slack", async () => {
    const { e, clock } = entry();
    clock.increment((ENTRY_SESSION_CAP_S + HOST_GUARD_SLACK_S) * 1000 - 1);
    expect(e.settled).toBe(false);
    clock.increment(1);
    expect(await e.outcome).toMatchObject({ ok: false, error: { code: 'ENTRY_TIMEOUT', reason: 'HOST_SESSION_LIMIT' } });
  });
});

describe('CardEntry: an entry whose RESULT or ERROR the link lost (PROTOCOL.md §9.7)', () => {
  const status = (state: EntryStateName, sessionId = 7, field: EntryFieldName = 'NONE'): DeviceMessage => ({
    type: 'STATUS', state, sessionId, field, digits: 0, secondsLeft: 0, notice: 'NONE',
  });
  const result: DeviceMessage = {
    type: 'RESULT', sessionId: 7, brand: 'mastercard', last: '444', keySerialNumber: new Uint8Array(12), encryptedBlock: new Uint8Array(16),
  };

  function probedEntry() {
    const clock = new SimulatedClock();
    let probes = 0;
    const e = new CardEntry({
      sessionId: 7, timeoutSeconds: 30, reveal: 3, expiryRequired: true, clock, device: () => device, onProgress: () => {},
      probe: () => { probes++; },
    });
    return { e, clock, probes: () => probes };
  }

  it('asks GET_STATUS only after STATUS_PROBE_AFTER_MS with nothing about the session, and again while it stays quiet', () => {
    const { e, clock, probes } = probedEntry();
    e.handle(status('PAN', 7, 'PAN'));
    clock.increment(STATUS_PROBE_AFTER_MS - 1);
    e.handle({ type: 'KEY', sessionId: 7, keyClass: 'DIGIT', field: 'PAN', digits: 1, notice: 'NONE' }); // restarts the wait
    clock.increment(STATUS_PROBE_AFTER_MS - 1);
    expect(probes()).toBe(0);
    clock.increment(1);
    expect(probes()).toBe(1);
    e.handle(status('PAN', 7, 'PAN')); // the answer: still typing, nothing lost
    clock.increment(STATUS_PROBE_AFTER_MS);
    expect(probes()).toBe(2);
    expect(e.settled).toBe(false);
  });

  it('the final STATUS came, its RESULT did not: the answer to GET_STATUS ends the entry TEMPORARY, RESULT_LOST', async () => {
    const { e, clock, probes } = probedEntry();
    e.handle(status('PROCESSING'));
    e.handle(status('DONE')); // the RESULT queued behind it failed on the line
    clock.increment(STATUS_PROBE_AFTER_MS);
    expect(probes()).toBe(1);
    expect(e.settled).toBe(false);
    e.handle(status('DONE')); // the answer: the keypad's entry is over
    expect(await e.outcome).toMatchObject({ ok: false, error: { code: 'TEMPORARY', reason: 'RESULT_LOST' } });
  });

  it('final STATUS and RESULT both lost: the answer is confirmed by one more GET_STATUS, then RESULT_LOST', async () => {
    const { e, clock, probes } = probedEntry();
    e.handle(status('PROCESSING'));
    clock.increment(STATUS_PROBE_AFTER_MS);
    e.handle(status('DONE')); // answer, or the report just before a RESULT still on its way?
    expect(probes()).toBe(2); // asked again at once: that answer comes after any such RESULT
    expect(e.settled).toBe(false);
    e.handle(status('DONE'));
    expect(await e.outcome).toMatchObject({ ok: false, error: { code: 'TEMPORARY', reason: 'RESULT_LOST' } });
  });

  it('a final STATUS while asking, then the RESULT: the entry succeeds', async () => {
    const { e, clock } = probedEntry();
    e.handle(status('EXPIRY', 7, 'EXPIRY'));
    clock.increment(STATUS_PROBE_AFTER_MS);
    e.handle(status('DONE')); // queued before our GET_STATUS reached the keypad
    e.handle(result);
    e.handle(status('DONE')); // the answers, after the entry settled: ignored
    e.handle(status('DONE'));
    expect(await e.outcome).toMatchObject({ ok: true, result: { brand: 'mastercard', last: '444' } });
  });

  it.each([
    ['IDLE', 0],
    ['PAN', 8],
  ] as const)('the keypad answers %s for session %d (our entry ended without a word): RESULT_LOST', async (state, sessionId) => {
    const { e, clock } = probedEntry();
    e.handle(status('PAN', 7, 'PAN'));
    e.handle(status(state, sessionId)); // before any GET_STATUS: not an answer, ignored
    expect(e.settled).toBe(false);
    clock.increment(STATUS_PROBE_AFTER_MS);
    e.handle(status(state, sessionId));
    expect(await e.outcome).toMatchObject({ ok: false, error: { code: 'TEMPORARY', reason: 'RESULT_LOST' } });
  });
});

describe('CardEntry: one progress event per change, with the deadline', () => {
  const key = (keyClass: KeyClassName, field: EntryFieldName, digits: number, notice: EntryNoticeName = 'NONE'): DeviceMessage =>
    ({ type: 'KEY', sessionId: 7, keyClass, field, digits, notice });
  const status = (state: EntryStateName, field: EntryFieldName = 'NONE', digits = 0, secondsLeft = 0): DeviceMessage =>
    ({ type: 'STATUS', state, sessionId: 7, field, digits, secondsLeft, notice: 'NONE' });
  const result: DeviceMessage = {
    type: 'RESULT', sessionId: 7, brand: 'visa', last: '242', keySerialNumber: new Uint8Array(12), encryptedBlock: new Uint8Array(16),
  };
  /** What the keypad sends for a whole entry, as the reference keypad orders it (§9.2). */
  const typing: DeviceMessage[] = [
    status('PAN', 'PAN', 0, 30),
    ...Array.from({ length: 16 }, (_, i) => key('DIGIT', 'PAN', i + 1)),
    key('ENTER', 'EXPIRY', 0), status('EXPIRY', 'EXPIRY', 0, 30),
    ...Array.from({ length: 4 }, (_, i) => key('DIGIT', 'EXPIRY', i + 1)),
  ];
  const noDuplicates = (progress: EntryProgress[]) => {
    for (let i = 1; i < progress.length; i++) {
      const [a, b] = [progress[i - 1]!, progress[i]!];
      if (b.key === undefined) expect([b.state, b.field, b.digits, b.notice]).not.toEqual([a.state, a.field, a.digits, a.notice]);
    }
  };

  it.each([
    ['a full entry', [key('ENTER', 'NONE', 0), status('PROCESSING'), status('DONE'), result], 'DONE'],
    ['the cancel key', [key('CANCEL', 'NONE', 0), status('CANCELLED'), { type: 'ERROR', sessionId: 7, code: 'CANCELLED', detail: '' }], 'CANCELLED'],
    ['a timeout', [status('TIMEOUT'), { type: 'ERROR', sessionId: 7, code: 'TIMEOUT', detail: '' }], 'TIMEOUT'],
    ['an expired card', [key('ENTER', 'NONE', 0), status('FAILED'), { type: 'ERROR', sessionId: 7, code: 'EXPIRED_CARD', detail: '' }], 'FAILED'],
  ] as const)('%s: EXPIRY once, the end once, nothing twice', async (_name, end, final) => {
    const { e, progress } = entry();
    for (const message of [...typing, ...end] as DeviceMessage[]) e.handle(message);
    await e.outcome;
    noDuplicates(progress);
    expect(progress.filter((p) => p.state === 'EXPIRY' && p.digits === 0)).toHaveLength(1);
    expect(progress.filter((p) => p.state === final)).toHaveLength(1);
    expect(progress.at(-1)).toMatchObject({ state: final, secondsLeft: 0, deadline: null });
    expect(progress.filter((p) => p.key === 'DIGIT')).toHaveLength(20);
  });

  it('carries the deadline on the driver clock: the last key (or STATUS) plus the seconds left', () => {
    const { e, clock, progress } = entry();
    clock.increment(1000);
    e.handle(status('PAN', 'PAN', 0, 30));
    expect(progress.at(-1)).toMatchObject({ secondsLeft: 30, deadline: 31_000 });
    clock.increment(12_500);
    e.handle(key('DIGIT', 'PAN', 1));
    expect(progress.at(-1)).toMatchObject({ secondsLeft: 30, deadline: 43_500 });
  });
});

describe('CardEntry: a report the entry statechart cannot take ends it TEMPORARY, ENTRY_OUT_OF_STEP', () => {
  const key = (keyClass: KeyClassName, field: EntryFieldName, digits: number, notice: EntryNoticeName = 'NONE'): DeviceMessage =>
    ({ type: 'KEY', sessionId: 7, keyClass, field, digits, notice });
  const status = (state: EntryStateName, field: EntryFieldName = 'NONE', digits = 0): DeviceMessage =>
    ({ type: 'STATUS', state, sessionId: 7, field, digits, secondsLeft: 0, notice: 'NONE' });

  it.each([
    ['back to the PAN from the expiry', [status('PAN', 'PAN'), key('ENTER', 'EXPIRY', 0), key('DIGIT', 'PAN', 3)]],
    ['a DIGIT that leaves no field open', [status('PAN', 'PAN'), key('DIGIT', 'NONE', 0)]],
    ['a digit key while encrypting', [status('PROCESSING'), key('DIGIT', 'PAN', 1)]],
    ['a STATUS PAN while encrypting', [status('PROCESSING'), status('PAN', 'PAN')]],
    ['a STATUS whose field does not fit its state', [status('PAN', 'EXPIRY', 2)]],
    ['more than four expiry digits', [status('EXPIRY', 'EXPIRY'), key('DIGIT', 'EXPIRY', 5)]],
    ['an ERROR that contradicts the final STATUS', [status('DONE'), { type: 'ERROR', sessionId: 7, code: 'CANCELLED', detail: '' }]],
    ['a RESULT after STATUS FAILED', [status('FAILED'), {
      type: 'RESULT', sessionId: 7, brand: 'visa', last: '1', keySerialNumber: new Uint8Array(12), encryptedBlock: new Uint8Array(16),
    }]],
  ] as const)('%s', async (_name, messages) => {
    const { e, progress } = entry();
    for (const message of messages as readonly DeviceMessage[]) e.handle(message);
    expect(e.settled).toBe(true);
    expect(await e.outcome).toMatchObject({ ok: false, error: { code: 'TEMPORARY', reason: 'ENTRY_OUT_OF_STEP' } });
    expect(progress.at(-1)?.state).toBe('FAILED');
  });

  it('an EXPIRY field the entry did not ask for', async () => {
    const clock = new SimulatedClock();
    const e = new CardEntry({ sessionId: 7, timeoutSeconds: 30, reveal: 3, expiryRequired: false, clock, device: () => device, onProgress: () => {} });
    e.handle(key('ENTER', 'EXPIRY', 0));
    expect(await e.outcome).toMatchObject({ ok: false, error: { reason: 'ENTRY_OUT_OF_STEP' } });
  });

  it('but reports lost on a live line (§6.4) are caught up, not out of step: a KEY in the expiry before any STATUS', async () => {
    const { e } = entry();
    e.handle(key('DIGIT', 'EXPIRY', 2));
    e.handle(key('ENTER', 'NONE', 0));
    expect(e.settled).toBe(false);
    expect(e.snapshot().value).toBe('processing');
  });

  it.each([
    ['ENTER with too few digits', 'ENTER', 'PAN_TOO_SHORT', 5],
    ['a digit past the 19th', 'DIGIT', 'PAN_TOO_LONG', 19],
  ] as const)('a KEY that only raises a notice still carries the count, after a lost KEY: %s', (_, keyClass, notice, digits) => {
    const { e, progress } = entry();
    e.handle(key('DIGIT', 'PAN', 1));
    // The KEY reports between these two were lost on the line: the notice's report says how many digits there are.
    e.handle(key(keyClass, 'PAN', digits, notice));
    expect(e.settled).toBe(false);
    expect(progress.at(-1)).toMatchObject({ field: 'PAN', digits, notice });
  });
});
