import { createActor } from 'xstate';
import { describe, expect, it, vi } from 'vitest';
import { stopEntry, toDeviceError, toEntryState } from '../../device-sim/entry/index.js';
import { entryStatechart } from '../../protocol/entry/entry-statechart.js';
import { allZero, flush, startEntry, STUB_OUTPUT, TODAY } from './entry-harness.js';

const VISA = '4242424242424242';
const VISA_LUHN_BAD = '4242424242424241';
const JCB = '3530111333300000';
const UNKNOWN_BRAND = '9999999999999995';

describe('entry machine — PAN field', () => {
  it('starts in PAN with nothing typed and reports that state', () => {
    const e = startEntry();
    expect(toEntryState(e.snapshot())).toBe('PAN');
    expect(e.snapshot().context).toMatchObject({ field: 'PAN', panDigits: 0, notice: 'NONE', invalidAttempts: 0 });
    expect(e.stateReports).toEqual([{ state: 'PAN', field: 'PAN', digits: 0, notice: 'NONE' }]);
  });

  it('counts digits and reports each as a DIGIT key with the count, never its value', () => {
    const e = startEntry();
    e.type('424');
    expect(e.snapshot().context.panDigits).toBe(3);
    expect(e.keyReports).toEqual([1, 2, 3].map((digits) => ({ keyClass: 'DIGIT', field: 'PAN', digits, notice: 'NONE' })));
  });

  it('ignores digits past 19 with notice PAN_TOO_LONG', () => {
    const e = startEntry();
    e.type('4242424242424242006');
    e.type('7');
    expect(e.snapshot().context).toMatchObject({ panDigits: 19, notice: 'PAN_TOO_LONG' });
    expect(e.notices).toEqual(['PAN_TOO_LONG']);
    e.type('enter');
    expect(toEntryState(e.snapshot())).toBe('EXPIRY'); // the 19 digits kept are a valid Visa
  });

  it('keeps a number shorter than 12 digits on enter, with notice PAN_TOO_SHORT, and does not count a try', () => {
    const e = startEntry();
    e.type('42424242424 enter');
    expect(toEntryState(e.snapshot())).toBe('PAN');
    expect(e.snapshot().context).toMatchObject({ panDigits: 11, notice: 'PAN_TOO_SHORT', invalidAttempts: 0 });
    e.type('2');
    expect(e.snapshot().context.notice).toBe('NONE');
  });

  it('clears a Luhn-invalid number with notice INVALID_PAN and stays in PAN', () => {
    const e = startEntry();
    e.type(`${VISA_LUHN_BAD} enter`);
    expect(toEntryState(e.snapshot())).toBe('PAN');
    expect(e.snapshot().context).toMatchObject({ panDigits: 0, notice: 'INVALID_PAN', invalidAttempts: 1 });
    expect(allZero(e.card.pan)).toBe(true);
    expect(e.keyReports.at(-1)).toEqual({ keyClass: 'ENTER', field: 'PAN', digits: 0, notice: 'INVALID_PAN' });
  });

  it('ends in failed INVALID_CARD on the third invalid number', () => {
    const e = startEntry();
    e.type(`${VISA_LUHN_BAD} enter ${VISA_LUHN_BAD} enter`);
    expect(toEntryState(e.snapshot())).toBe('PAN');
    e.type(`${VISA_LUHN_BAD} enter`);
    expect(e.snapshot().status).toBe('done');
    expect(e.snapshot().output).toEqual({ outcome: 'failed', code: 'INVALID_CARD' });
    expect(e.stateReports.at(-1)?.state).toBe('FAILED');
  });

  it('accepts a valid number after two invalid ones', () => {
    const e = startEntry();
    e.type(`${VISA_LUHN_BAD} enter ${VISA_LUHN_BAD} enter ${VISA} enter`);
    expect(toEntryState(e.snapshot())).toBe('EXPIRY');
    expect(e.snapshot().context).toMatchObject({ invalidAttempts: 2, field: 'EXPIRY', notice: 'NONE' });
    expect(e.card.brand).toBe('visa');
  });

  it('edits with backspace and clear, and ignores them on an empty field', () => {
    const e = startEntry();
    e.type('backspace clear');
    expect(e.snapshot().context.panDigits).toBe(0);
    e.type('4243 backspace');
    expect(e.snapshot().context.panDigits).toBe(3);
    expect(Array.from(e.card.pan.subarray(0, 3))).toEqual([4, 2, 4]);
    e.type('clear');
    expect(e.snapshot().context.panDigits).toBe(0);
    expect(e.keyReports.map((r) => r.keyClass)).toEqual(['BACKSPACE', 'CLEAR', 'DIGIT', 'DIGIT', 'DIGIT', 'DIGIT', 'BACKSPACE', 'CLEAR']);
  });

  it('ends in failed UNSUPPORTED_BRAND when the service does not take the brand', () => {
    const e = startEntry({ acceptedBrands: ['visa', 'mastercard'] });
    e.type(`${JCB} enter`);
    expect(e.snapshot().output).toEqual({ outcome: 'failed', code: 'UNSUPPORTED_BRAND' });
    expect(e.card.brand).toBe('jcb');
  });

  it('treats a number of no known brand as "unknown": taken only by an empty set or one listing unknown', () => {
    const anyBrand = startEntry({ acceptedBrands: [] });
    anyBrand.type(`${UNKNOWN_BRAND} enter`);
    expect(toEntryState(anyBrand.snapshot())).toBe('EXPIRY');
    expect(anyBrand.card.brand).toBe('unknown');

    const restricted = startEntry({ acceptedBrands: ['visa'] });
    restricted.type(`${UNKNOWN_BRAND} enter`);
    expect(restricted.snapshot().output).toEqual({ outcome: 'failed', code: 'UNSUPPORTED_BRAND' });

    const listed = startEntry({ acceptedBrands: ['visa', 'unknown'] });
    listed.type(`${UNKNOWN_BRAND} enter`);
    expect(toEntryState(listed.snapshot())).toBe('EXPIRY');
  });

  it('goes straight to processing when the expiry is not required', async () => {
    const e = startEntry({ expiryRequired: false });
    e.type(`${VISA} enter`);
    await flush();
    expect(e.encryptCalls).toHaveLength(1);
    expect(e.encryptCalls[0]?.expiry).toEqual([]);
    expect(e.snapshot().output).toMatchObject({ outcome: 'done', result: { brand: 'visa', last: '242' } });
  });
});

describe('entry machine — expiry field', () => {
  it('encrypts PAN and MMYY and ends done with brand, last digits, KSN and block', async () => {
    const e = startEntry();
    e.type(`${VISA} enter 1230 enter`);
    expect(toEntryState(e.snapshot())).toBe('PROCESSING');
    await flush();
    expect(e.encryptCalls.map(({ pan, expiry, brand }) => ({ pan: pan.join(''), expiry: expiry.join(''), brand })))
      .toEqual([{ pan: VISA, expiry: '1230', brand: 'visa' }]);
    expect(e.snapshot().output).toEqual({
      outcome: 'done',
      result: { brand: 'visa', last: '242', keySerialNumber: STUB_OUTPUT.keySerialNumber, encryptedBlock: STUB_OUTPUT.encryptedBlock },
    });
    expect(e.stateReports.map((r) => r.state)).toEqual(['PAN', 'EXPIRY', 'PROCESSING', 'DONE']);
  });

  it.each([['1330'], ['0030'], ['12']])('clears %s with notice INVALID_EXPIRY and stays', (mmyy) => {
    const e = startEntry();
    e.type(`${VISA} enter ${mmyy} enter`);
    expect(toEntryState(e.snapshot())).toBe('EXPIRY');
    expect(e.snapshot().context).toMatchObject({ expiryDigits: 0, notice: 'INVALID_EXPIRY' });
    expect(e.notices).toEqual(['INVALID_EXPIRY']);
  });

  it('ends in failed EXPIRED_CARD for a month before the device calendar', () => {
    const e = startEntry({ today: { year: 2026, month: 11 } });
    e.type(`${VISA} enter 1026 enter`);
    expect(e.snapshot().output).toEqual({ outcome: 'failed', code: 'EXPIRED_CARD' });
  });

  it('takes a card in its last valid month, and refuses it the month after', async () => {
    const thisMonth = startEntry({ today: { year: 2026, month: 11 } });
    thisMonth.type(`${VISA} enter 1126 enter`);
    await flush();
    expect(thisMonth.snapshot().output).toMatchObject({ outcome: 'done' });

    const nextMonth = startEntry({ today: { year: 2026, month: 12 } });
    nextMonth.type(`${VISA} enter 1126 enter`);
    expect(nextMonth.snapshot().output).toEqual({ outcome: 'failed', code: 'EXPIRED_CARD' });
  });

  it('ignores digits past four', () => {
    const e = startEntry();
    e.type(`${VISA} enter 12309`);
    expect(e.snapshot().context.expiryDigits).toBe(4);
    expect(Array.from(e.card.expiry)).toEqual([1, 2, 3, 0]);
    expect(e.keyReports.at(-1)).toEqual({ keyClass: 'DIGIT', field: 'EXPIRY', digits: 4, notice: 'NONE' });
  });

  it('stays in the expiry field on backspace when it is empty', () => {
    const e = startEntry();
    e.type(`${VISA} enter 1 backspace backspace`);
    expect(toEntryState(e.snapshot())).toBe('EXPIRY');
    expect(e.snapshot().context).toMatchObject({ expiryDigits: 0, panDigits: 16 });
  });

  it('clears the expiry with clear', () => {
    const e = startEntry();
    e.type(`${VISA} enter 123 clear`);
    expect(e.snapshot().context.expiryDigits).toBe(0);
  });
});

describe('entry machine — reveal', () => {
  it.each([
    [0, ''], [1, '2'], [3, '242'], [4, '4242'], [9, '4242'], [-2, ''],
  ])('reveal %d gives last %j', async (reveal, last) => {
    const e = startEntry({ reveal, expiryRequired: false });
    e.type(`${VISA} enter`);
    await flush();
    expect(e.snapshot().output).toMatchObject({ outcome: 'done', result: { last } });
  });
});

describe('entry machine — timers', () => {
  it('times out after 60 s without a key, and not a millisecond sooner', () => {
    const e = startEntry();
    e.type('4');
    e.clock.increment(59_999);
    expect(toEntryState(e.snapshot())).toBe('PAN');
    e.clock.increment(1);
    expect(e.snapshot().output).toEqual({ outcome: 'timeout', reason: 'inactivity' });
    expect(toDeviceError({ outcome: 'timeout', reason: 'inactivity' })).toBe('TIMEOUT');
  });

  it('restarts the inactivity timer on every key', () => {
    const e = startEntry();
    for (let i = 0; i < 4; i++) { e.clock.increment(50_000); e.type('4'); }
    e.clock.increment(59_999);
    expect(toEntryState(e.snapshot())).toBe('PAN');
    e.clock.increment(1);
    expect(toEntryState(e.snapshot())).toBe('TIMEOUT');
  });

  it('uses the inactivity timeout from the input, 0 meaning 60 s', () => {
    const short = startEntry({ inactivityTimeoutS: 5 });
    short.clock.increment(5_000);
    expect(toEntryState(short.snapshot())).toBe('TIMEOUT');

    const zero = startEntry({ inactivityTimeoutS: 0 });
    zero.clock.increment(59_999);
    expect(toEntryState(zero.snapshot())).toBe('PAN');
    zero.clock.increment(1);
    expect(toEntryState(zero.snapshot())).toBe('TIMEOUT');
  });

  it('ends the session at the 300 s cap however busy the keys are', () => {
    const e = startEntry();
    e.type(`${VISA} enter`);
    for (let i = 0; i < 5; i++) { e.clock.increment(50_000); e.type('backspace'); } // 250 s
    e.clock.increment(49_999);
    expect(toEntryState(e.snapshot())).toBe('EXPIRY');
    e.clock.increment(1);
    expect(e.snapshot().output).toEqual({ outcome: 'timeout', reason: 'sessionCap' });
    expect(toDeviceError({ outcome: 'timeout', reason: 'sessionCap' })).toBe('SESSION_LIMIT');
  });

  it('does not time out for inactivity while encrypting, but the cap still applies', async () => {
    const e = startEntry({ sessionCapS: 120 }, { encrypt: 'manual' });
    e.type(`${VISA} enter 1230 enter`);
    e.clock.increment(119_999);
    expect(toEntryState(e.snapshot())).toBe('PROCESSING');
    e.clock.increment(1);
    expect(e.snapshot().output).toEqual({ outcome: 'timeout', reason: 'sessionCap' });
    expect(allZero(e.encryptCalls[0]!.panView)).toBe(true);
  });

  it('changes nothing and reports nothing once final, however long the clock runs', () => {
    const e = startEntry();
    e.type('cancel');
    const reports = e.stateReports.length + e.keyReports.length;
    e.clock.increment(10 * 60_000);
    // xstate's development build warns about events sent to a stopped actor (and prints them: the simulator
    // must not forward digit keys once a session is over).
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try { e.type('enter cancel'); } finally { warn.mockRestore(); }
    expect(e.snapshot().output).toEqual({ outcome: 'cancelled', by: 'keypad' });
    expect(e.stateReports.length + e.keyReports.length).toBe(reports);
  });
});

describe('entry machine — cancel', () => {
  it('ends cancelled by keypad on the cancel key in PAN, expiry and processing', async () => {
    const pan = startEntry();
    pan.type('42 cancel');
    expect(pan.snapshot().output).toEqual({ outcome: 'cancelled', by: 'keypad' });
    expect(pan.keyReports.at(-1)).toEqual({ keyClass: 'CANCEL', field: 'NONE', digits: 0, notice: 'NONE' });

    const expiry = startEntry();
    expiry.type(`${VISA} enter 12 cancel`);
    expect(expiry.snapshot().output).toEqual({ outcome: 'cancelled', by: 'keypad' });

    const processing = startEntry({}, { encrypt: 'manual' });
    processing.type(`${VISA} enter 1230 enter 5 backspace`);
    expect(toEntryState(processing.snapshot())).toBe('PROCESSING');
    processing.type('cancel');
    expect(processing.snapshot().output).toEqual({ outcome: 'cancelled', by: 'keypad' });
    await processing.settleEncrypt({ output: STUB_OUTPUT }); // too late: stays cancelled
    expect(processing.snapshot().output).toEqual({ outcome: 'cancelled', by: 'keypad' });
  });

  it('ends cancelled by host on host.cancel', () => {
    const e = startEntry();
    e.type('4242');
    e.hostCancel();
    expect(e.snapshot().output).toEqual({ outcome: 'cancelled', by: 'host' });
    expect(toDeviceError({ outcome: 'cancelled', by: 'host' })).toBe('CANCELLED');
  });
});

describe('entry machine — encryptCard', () => {
  it('ends failed KEY_EXHAUSTED when the keys are used up, INTERNAL on any other failure', async () => {
    const exhausted = startEntry({}, { encrypt: 'manual' });
    exhausted.type(`${VISA} enter 1230 enter`);
    await exhausted.settleEncrypt({ error: Object.assign(new Error('no more keys'), { code: 'KEY_EXHAUSTED' }) });
    expect(exhausted.snapshot().output).toEqual({ outcome: 'failed', code: 'KEY_EXHAUSTED' });

    const broken = startEntry({}, { encrypt: 'manual' });
    broken.type(`${VISA} enter 1230 enter`);
    await broken.settleEncrypt({ error: new Error('boom') });
    expect(broken.snapshot().output).toEqual({ outcome: 'failed', code: 'INTERNAL' });
  });

  it("the shared statechart's own encryptCard refuses: without the keypad's crypto there is never a result", async () => {
    const actor = createActor(entryStatechart.provide({ guards: { panToProcessing: () => true } }), {
      input: { sessionId: 1, inactivityTimeoutS: 60, reveal: 3, expiryRequired: false },
    });
    actor.start();
    actor.send({ type: 'start' });
    actor.send({ type: 'key.enter' });
    expect(actor.getSnapshot().value).toBe('processing');
    await flush();
    expect(actor.getSnapshot().output).toEqual({ outcome: 'failed', code: 'INTERNAL' });
  });

  it('zeroes the buffers it handed to encryptCard as soon as it settles', async () => {
    const e = startEntry({}, { encrypt: 'manual' });
    e.type(`${VISA} enter 1230 enter`);
    const call = e.encryptCalls[0]!;
    expect(allZero(call.panView)).toBe(false);
    await e.settleEncrypt({ output: STUB_OUTPUT });
    expect(allZero(call.panView) && allZero(call.expiryView)).toBe(true);
  });
});

describe('entry machine — card data hygiene', () => {
  it('keeps digits out of the shared context and zeroes its card buffers once the session is over', async () => {
    const e = startEntry();
    let snapshots = 0;
    e.actor.subscribe((s) => {
      snapshots++;
      const { side: _side, ...shared } = s.context;
      expect(Object.values(shared).filter((v) => v instanceof Uint8Array || typeof v === 'string' && /\d{4}/.test(v))).toEqual([]);
    });
    e.type(`${VISA_LUHN_BAD} enter 4242 backspace clear ${VISA} enter 12 backspace 230 enter`);
    await flush();
    expect(e.snapshot().output).toMatchObject({ outcome: 'done' });
    expect(snapshots).toBeGreaterThan(20);
    expect(allZero(e.card.pan) && allZero(e.card.expiry)).toBe(true);
  });

  it.each([
    ['timeout', (e: ReturnType<typeof startEntry>) => e.clock.increment(60_000)],
    ['cancelled', (e: ReturnType<typeof startEntry>) => e.hostCancel()],
    ['failed', (e: ReturnType<typeof startEntry>) => e.type('1026 enter')],
  ])('leaves zeroed buffers when it ends %s', (state, end) => {
    const e = startEntry();
    e.type(`${VISA} enter 10`);
    end(e);
    expect(e.snapshot().value).toBe(state);
    expect(allZero(e.card.pan) && allZero(e.card.expiry)).toBe(true);
  });
});

describe('stopEntry', () => {
  it('stops the actor without an outcome and zeroes the buffers that actor.stop() alone would leave', () => {
    const e = startEntry();
    e.type(`${VISA} enter 12`);
    const { pan, expiry } = e.card;
    const reports = e.stateReports.length;
    stopEntry(e.actor);
    expect(e.snapshot().status).toBe('stopped');
    expect(allZero(pan) && allZero(expiry)).toBe(true);
    expect(e.stateReports).toHaveLength(reports);
  });
});
