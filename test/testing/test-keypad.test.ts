import { afterEach, describe, expect, it } from 'vitest';
import { KeyScriptError } from '../../device-sim/key-script.js';
import { FaultSpecError } from '../../device-sim/faults/fault-spec.js';
import { UnknownServiceError } from '../../device-sim/services.js';
import { isTenkeyCancelled, TenkeyError } from '../../host-driver/errors.js';
import {
  AUTHORIZATION_TEST_CARDS, createTestKeypad, createTestPaymentServices, TEST_CARDS, TEST_KEYPAD_ADDRESS, TestKeypadError,
  type TestKeypad, type TestKeypadOptions,
} from '../../testing/index.js';

const DEVICE_DATE = new Date('2026-12-01T00:00:00Z');
const kits: TestKeypad[] = [];

async function kit(options: TestKeypadOptions = {}): Promise<TestKeypad> {
  const made = await createTestKeypad({ ...options, device: { date: DEVICE_DATE, ...options.device } });
  kits.push(made);
  return made;
}

/** The rejection of `promise`, or a failure if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: unknown) => error);
}

afterEach(async () => {
  await Promise.all(kits.splice(0).map((k) => k.close()));
});

describe('createTestKeypad on virtual time', () => {
  it('reads a test card by name: the real driver gets the keypad RESULT, which decrypts to that card', async () => {
    const k = await kit();
    k.device.nextEntry({ card: 'visa' });
    const card = await k.run(k.keypad.readCard());
    expect(card).toMatchObject({ brand: 'visa', last: '111', device: { address: TEST_KEYPAD_ADDRESS, model: 'TENKEY-SIM' } });
    expect(card.keySerialNumber).toMatch(/^[0-9a-f]{24}$/);
    const { tokens, authorizations } = createTestPaymentServices({ now: () => DEVICE_DATE });
    const token = tokens.tokenize(card);
    expect(token).toMatchObject({ brand: 'visa', last3: '111' });
    expect(authorizations.authorize(token.token, { amount: 1200 })).toMatchObject({ outcome: 'approved' });
    expect(k.device.sessionEnds.map((end) => end.outcome)).toEqual(['done']);
    expect(k.device.queuedEntries).toBe(0);
  });

  it('reads a number and expiry given as such, typed with pauses between keys on the virtual clock', async () => {
    const k = await kit();
    k.device.nextEntry({ number: TEST_CARDS.jcb, expiry: '0130', keyDelayMs: 200 });
    const started = k.now();
    const card = await k.run(k.keypad.readCard({ reveal: 4 }));
    expect(card).toMatchObject({ brand: 'jcb', last: '0000' });
    // 16 digits + enter, 4 digits + enter: 20 pauses of 200 ms passed on the virtual clock.
    expect(k.now() - started).toBeGreaterThanOrEqual(20 * 200);
  });

  it('takes queued entries in order, one per readCard, and then does the default (nobody types)', async () => {
    const k = await kit();
    k.device.nextEntry({ card: 'mastercard' }, { keys: '378282246310005<enter>1230<enter>' });
    expect(k.device.queuedEntries).toBe(2);
    expect((await k.run(k.keypad.readCard())).brand).toBe('mastercard');
    expect((await k.run(k.keypad.readCard())).brand).toBe('american-express');
    const error = await rejectionOf(k.run(k.keypad.readCard({ timeoutSeconds: 30 })));
    expect(error).toMatchObject({ code: 'ENTRY_TIMEOUT' });
    expect(k.device.sessionEnds.map((end) => end.outcome)).toEqual(['done', 'done', 'timeout']);
  });

  it('fires the 60 s entry timeout as soon as advance() passes it, not before', async () => {
    const k = await kit();
    k.device.nextEntry('timeout');
    let outcome: unknown;
    const reading = k.keypad.readCard({ timeoutSeconds: 60 });
    reading.then(() => { outcome = 'resolved'; }, (error: unknown) => { outcome = error; });
    await k.advance(59_000);
    expect(outcome).toBeUndefined();
    expect(k.device.display().state).toBe('PAN');
    await k.advance(2_000);
    expect(outcome).toBeInstanceOf(TenkeyError);
    expect(outcome).toMatchObject({ code: 'ENTRY_TIMEOUT', reason: 'TIMEOUT' });
  });

  it('reports the cancel key as a cancellation by the keypad', async () => {
    const k = await kit();
    k.device.nextEntry('cancel');
    const error = await rejectionOf(k.run(k.keypad.readCard()));
    expect(isTenkeyCancelled(error)).toBe(true);
    expect(error).toMatchObject({ by: 'keypad' });
  });

  it('refuses a brand the card service does not take: the driver service, or the keypad own one', async () => {
    const k = await kit();
    k.device.nextEntry({ card: 'jcb' });
    expect(await rejectionOf(k.run(k.keypad.readCard({ service: 'visa-master' })))).toMatchObject({ code: 'CARD_SERVICE', reason: 'UNSUPPORTED_BRAND' });
    const narrow = await kit({ device: { service: 'visa-master' } });
    narrow.device.nextEntry({ card: 'american-express' });
    expect(await rejectionOf(narrow.run(narrow.keypad.readCard()))).toMatchObject({ code: 'CARD_SERVICE', reason: 'UNSUPPORTED_BRAND' });
    expect(narrow.keypad.device.acceptedBrands).toEqual(['visa', 'mastercard']);
  });

  it('reads an expired card as refused by the keypad, and the declining test cards as declined by the 与信 stand-in', async () => {
    const k = await kit();
    k.device.nextEntry({ card: 'visa', expiry: 'expired' });
    expect(await rejectionOf(k.run(k.keypad.readCard()))).toMatchObject({ code: 'CARD_SERVICE', reason: 'EXPIRED_CARD' });
    const { tokens, authorizations } = createTestPaymentServices({ now: () => DEVICE_DATE });
    const outcomes: string[] = [];
    for (const card of Object.keys(AUTHORIZATION_TEST_CARDS) as (keyof typeof AUTHORIZATION_TEST_CARDS)[]) {
      k.device.nextEntry({ card });
      const read = await k.run(k.keypad.readCard());
      const result = authorizations.authorize(tokens.tokenize(read).token, { amount: 500 });
      outcomes.push(result.outcome === 'declined' ? `declined ${result.reason}` : result.outcome);
    }
    expect(outcomes).toEqual(['declined DECLINED', 'declined INSUFFICIENT_FUNDS', 'declined EXPIRED_CARD', 'unavailable']);
  });

  it('unplugs and replugs: the entry running ends CONNECTION, readCard meanwhile is refused, and the driver reconnects by itself', async () => {
    const k = await kit();
    const statuses: string[] = [];
    k.keypad.on('connection', (event) => statuses.push(event.status));
    k.device.nextEntry({ keys: '4111<wait:5000>111111111111<enter>1230<enter>' });
    const reading = k.keypad.readCard();
    reading.catch(() => undefined);
    await k.advance(1000);
    await k.device.unplug();
    expect(k.device.plugged).toBe(false);
    expect(await rejectionOf(reading)).toMatchObject({ code: 'CONNECTION' });
    expect(k.keypad.status).not.toBe('connected');
    expect(await rejectionOf(k.keypad.readCard())).toMatchObject({ reason: 'NOT_CONNECTED' });
    await k.advance(30_000); // backoff attempts fail while unplugged
    expect(k.keypad.status).toBe('reconnecting');
    await k.device.replug();
    expect(k.keypad.status).toBe('connected');
    expect(statuses[0]).toBe('disconnected');
    expect(statuses.at(-1)).toBe('connected');
    k.device.nextEntry({ card: 'visa' });
    expect((await k.run(k.keypad.readCard())).brand).toBe('visa');
    expect(k.device.sessionEnds.map((end) => end.outcome)).toEqual(['aborted', 'done']);
  });

  it('pulls the cable by itself with the vanish-after fault', async () => {
    const k = await kit({ device: { faults: 'vanish-after=2s' } });
    await k.advance(1_500);
    expect(k.keypad.status).toBe('connected');
    await k.advance(1_000);
    expect(k.keypad.status).not.toBe('connected');
    expect(k.device.plugged).toBe(false);
    await k.device.replug();
    expect(k.keypad.status).toBe('connected');
  });

  it('applies byte faults on the line (the driver retransmits through them) and the simulator faults busy and exhaust-key', async () => {
    const noisy = await kit({ device: { faults: 'drop=0.5%,corrupt=0.5%,delay=20ms,seed=7' } });
    noisy.device.nextEntry({ card: 'visa' });
    expect((await noisy.run(noisy.keypad.readCard())).brand).toBe('visa');
    const faults = noisy.device.virtualKeypad.attachment!.faultsOut!.stats;
    expect(faults.bytesIn).toBeGreaterThan(0);
    const busy = await kit({ device: { faults: 'busy' } });
    expect(await rejectionOf(busy.run(busy.keypad.readCard()))).toMatchObject({ code: 'TEMPORARY', reason: 'BUSY' });
    const worn = await kit({ device: { faults: { exhaustKey: true } } });
    expect(await rejectionOf(worn.run(worn.keypad.readCard()))).toMatchObject({ code: 'TEMPORARY', reason: 'KEY_EXHAUSTED' });
  });

  it('fails to open against a silent keypad with the driver own typed error (HELLO never acknowledged), on virtual time', async () => {
    const error = await rejectionOf(createTestKeypad({ device: { faults: 'silent', date: DEVICE_DATE } }));
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'CONNECTION', reason: 'NO_ACK' });
  });

  it('reports the identity it was given in the driver DeviceInfo', async () => {
    const k = await kit({ device: { identity: { serialNumber: 'SHOP-7' } } });
    expect(k.keypad.device).toMatchObject({ serialNumber: 'SHOP-7', model: 'TENKEY-SIM' });
  });

  it('keeps the DUKPT counter in memory: every entry a new KSN, and a new kit starts again at keyCounter', async () => {
    const k = await kit({ device: { keyCounter: 41 } });
    k.device.nextEntry({ card: 'visa' }, { card: 'visa' });
    const first = await k.run(k.keypad.readCard());
    const second = await k.run(k.keypad.readCard());
    expect(parseInt(first.keySerialNumber.slice(-8), 16)).toBe(41);
    expect(parseInt(second.keySerialNumber.slice(-8), 16)).toBe(42);
    const again = await kit({ device: { keyCounter: 41 } });
    again.device.nextEntry({ card: 'visa' });
    expect((await again.run(again.keypad.readCard())).keySerialNumber).toBe(first.keySerialNumber);
  });

  it('lets kits share one createTestPaymentServices(): each kit continues after the counters earlier kits used', async () => {
    const { tokens } = createTestPaymentServices({ now: () => DEVICE_DATE });
    const first = await kit();
    first.device.nextEntry({ card: 'visa' });
    expect(tokens.tokenize(await first.run(first.keypad.readCard()))).toMatchObject({ last3: '111' });
    const second = await kit();
    second.device.nextEntry({ card: 'visa' });
    expect(tokens.tokenize(await second.run(second.keypad.readCard()))).toMatchObject({ last3: '111' });
  });

  it('gives kits open side by side different counters: entries taken in turn all tokenize', async () => {
    const { tokens } = createTestPaymentServices({ now: () => DEVICE_DATE });
    const [a, b] = [await kit(), await kit()];
    const counters: number[] = [];
    for (const k of [a, b, a]) {
      k.device.nextEntry({ card: 'visa' });
      const card = await k.run(k.keypad.readCard());
      counters.push(parseInt(card.keySerialNumber.slice(-8), 16));
      expect(tokens.tokenize(card)).toMatchObject({ brand: 'visa' });
    }
    expect(counters[1]).toBeGreaterThan(counters[0]!);
    expect(counters[2]).toBeGreaterThan(counters[1]!);
  });

  it('gives up a run() past its limit with STILL_PENDING, and the entry goes on', async () => {
    const k = await kit();
    const reading = k.keypad.readCard({ timeoutSeconds: 120 });
    expect(await rejectionOf(k.run(reading, { limitMs: 10_000 }))).toMatchObject({ name: 'TestKeypadError', code: 'STILL_PENDING' });
    expect(k.keypad.busy).toBe(true);
    expect(await rejectionOf(k.run(reading))).toMatchObject({ code: 'ENTRY_TIMEOUT' });
  });
});

describe('createTestKeypad on real time', () => {
  it('reads a card, and advance() is refused', async () => {
    const k = await kit({ time: 'real' });
    expect(k.time).toBe('real');
    k.device.nextEntry({ card: 'discover' });
    expect((await k.run(k.keypad.readCard())).brand).toBe('discover');
    await expect(k.advance(10)).rejects.toMatchObject({ code: 'REAL_TIME' });
  });

  it('unplugs and replugs with the real reconnect backoff', async () => {
    const k = await kit({ time: 'real', reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
    await k.device.unplug();
    expect(k.keypad.status).not.toBe('connected');
    await k.device.replug();
    expect(k.keypad.status).toBe('connected');
  });
});

describe('closing the kit', () => {
  /** Every timer set through the global setTimeout (which the system clock uses) and not yet fired or cleared. */
  function trackTimers(): { live: Set<unknown>; restore(): void } {
    const live = new Set<unknown>();
    const { setTimeout: realSet, clearTimeout: realClear } = globalThis;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      const timer = realSet(() => { live.delete(timer); fn(); }, ms);
      live.add(timer);
      return timer;
    }) as typeof setTimeout;
    globalThis.clearTimeout = ((timer: Parameters<typeof clearTimeout>[0]) => {
      live.delete(timer);
      realClear(timer);
    }) as typeof clearTimeout;
    return { live, restore: () => { globalThis.setTimeout = realSet; globalThis.clearTimeout = realClear; } };
  }

  it.each(['virtual', 'real'] as const)('leaves no timer or handle behind on %s time, even with an entry running', async (time) => {
    const handles = process.getActiveResourcesInfo().length;
    const timers = trackTimers();
    try {
      const k = await createTestKeypad({ time, reconnect: { initialDelayMs: 10 } });
      k.device.nextEntry({ keys: '41<wait:100000>' });
      const reading = k.keypad.readCard();
      reading.catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(k.device.display().panDigits).toBe(2);
      // Real time: the driver's keepalive, the host guards and the typing's wait are real timers now.
      expect(timers.live.size > 0).toBe(time === 'real');
      await k.close();
      await k.close(); // idempotent
      expect(await rejectionOf(reading)).toMatchObject({ reason: 'CLOSED' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(timers.live.size).toBe(0);
      expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(handles);
      expect(k.keypad.status).toBe('closed');
      expect(() => k.device.nextEntry('cancel')).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    } finally {
      timers.restore();
    }
  });
});

describe('misuse gets a typed error', () => {
  it('at nextEntry, and nothing of a bad call is queued', async () => {
    const k = await kit();
    const cases: [unknown, string][] = [
      [{ card: 'visa-gold' }, 'UNKNOWN_CARD'],
      [{ number: '4111 1111 1111 1111' }, 'BAD_CARD_NUMBER'],
      [{ number: 4111111111111111 }, 'BAD_CARD_NUMBER'],
      [{ card: 'visa', expiry: '1330' }, 'BAD_EXPIRY'],
      [{ card: 'visa', keyDelayMs: -1 }, 'BAD_ENTRY'],
      [{ card: 'visa', keys: '1' }, 'BAD_ENTRY'],
      ['later', 'BAD_ENTRY'],
      [null, 'BAD_ENTRY'],
    ];
    for (const [index, [entry, code]] of cases.entries()) {
      let error: unknown;
      try {
        k.device.nextEntry({ card: 'visa' }, entry as never);
      } catch (e) {
        error = e;
      }
      expect(error, `case ${index}`).toBeInstanceOf(TestKeypadError);
      expect(error).toMatchObject({ code });
      // A card number given by mistake never comes back in the message.
      expect((error as Error).message).not.toMatch(/4111/);
    }
    expect(() => k.device.nextEntry({ keys: '41<enter><oops>' })).toThrow(KeyScriptError);
    expect(k.device.queuedEntries).toBe(0);
  });

  it('at createTestKeypad, before anything is opened', async () => {
    await expect(createTestKeypad({ time: 'fast' as never })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(createTestKeypad({ device: { date: new Date('nope') } })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(createTestKeypad({ device: { service: 'nowhere' } })).rejects.toBeInstanceOf(UnknownServiceError);
    await expect(createTestKeypad({ device: { faults: 'drop=200%' } })).rejects.toBeInstanceOf(FaultSpecError);
    await expect(createTestKeypad({ service: 'nowhere' })).rejects.toMatchObject({ code: 'CONNECTION', reason: 'UNKNOWN_SERVICE' });
    await expect(createTestKeypad({ link: { ackTimeoutMs: -1 } })).rejects.toMatchObject({ reason: 'INVALID_OPTIONS' });
    await expect(createTestKeypad({ defaultEntry: { card: 'nope' as never } })).rejects.toMatchObject({ code: 'UNKNOWN_CARD' });
  });

  it('at replug when the driver will not reconnect', async () => {
    const k = await kit({ reconnect: false });
    await k.device.unplug();
    await expect(k.device.replug()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
