import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { TenkeyCancelledError, TenkeyError } from '../../host-driver/index.js';
import { cardKeys, open, progressWhere, recordProgress, rejectionOf, simulator, TEST_CARDS } from './harness.js';

describe('cancelling an entry', () => {
  it('cancel() (the popup\'s キャンセル) rejects readCard with CANCELLED by host and ends the keypad session', async () => {
    const sim = await simulator('tcp', { keys: '4111' });
    const keypad = await open({ device: sim.address });
    const progress = recordProgress(keypad);
    // Handler attached first: readCard rejects the moment cancel() is called, before cancel() resolves.
    const reading = rejectionOf(keypad.readCard());
    await progressWhere(keypad, (p) => p.digits === 4);
    await keypad.cancel();
    const outcome = await reading;
    expect(outcome).toBeInstanceOf(TenkeyCancelledError);
    expect(outcome).not.toBeInstanceOf(TenkeyError);
    expect(outcome).toMatchObject({ code: 'CANCELLED', by: 'host' });
    expect(progress.at(-1)?.state).toBe('CANCELLED');
    expect(sim.keypad.activeSessionId).toBeUndefined();
  });

  it('an aborted AbortSignal cancels the same way', async () => {
    const sim = await simulator('pty', { keys: '55' });
    const keypad = await open({ device: sim.address });
    const controller = new AbortController();
    const reading = rejectionOf(keypad.readCard({ signal: controller.signal }));
    await progressWhere(keypad, (p) => p.digits === 2);
    controller.abort();
    expect(await reading).toMatchObject({ code: 'CANCELLED', by: 'host' });
  });

  it('an already aborted signal rejects at once without starting an entry', async () => {
    const sim = await simulator('tcp');
    const keypad = await open({ device: sim.address });
    expect(await rejectionOf(keypad.readCard({ signal: AbortSignal.abort() }))).toMatchObject({ code: 'CANCELLED', by: 'host' });
    expect(sim.keypad.activeSessionId).toBeUndefined();
  });

  it('the cancel key on the keypad rejects with CANCELLED by keypad', async () => {
    const sim = await simulator('tcp', { keys: '4111<cancel>' });
    const keypad = await open({ device: sim.address });
    expect(await rejectionOf(keypad.readCard())).toMatchObject({ code: 'CANCELLED', by: 'keypad' });
  });

  it('a new readCard right after cancel() reads the next card', async () => {
    const sim = await simulator('tcp');
    const keypad = await open({ device: sim.address });
    const first = keypad.readCard();
    await progressWhere(keypad, (p) => p.state === 'PAN');
    void keypad.cancel();
    await rejectionOf(first);
    const second = keypad.readCard();
    await progressWhere(keypad, (p) => p.state === 'PAN');
    void sim.keypad.type(cardKeys(TEST_CARDS.visa));
    expect(await second).toMatchObject({ brand: 'visa' });
  });

  it('cancel() with no entry running does nothing', async () => {
    const sim = await simulator('tcp');
    const keypad = await open({ device: sim.address });
    await expect(keypad.cancel()).resolves.toBeUndefined();
  });
});

describe('one entry at a time', () => {
  it('a second readCard while one runs rejects at once with TEMPORARY / ENTRY_IN_PROGRESS and leaves the first alone', async () => {
    const sim = await simulator('pty');
    const keypad = await open({ device: sim.address });
    const first = keypad.readCard();
    const second = await rejectionOf(keypad.readCard());
    expect(second).toBeInstanceOf(TenkeyError);
    expect(second).toMatchObject({ code: 'TEMPORARY', reason: 'ENTRY_IN_PROGRESS' });
    await progressWhere(keypad, (p) => p.state === 'PAN');
    void sim.keypad.type(cardKeys(TEST_CARDS.mastercard));
    expect(await first).toMatchObject({ brand: 'mastercard' });
  });
});

describe('entry timeout', () => {
  // One real second: the keypad's inactivity timer runs on its own clock across a real socket.
  it('fails ENTRY_TIMEOUT / TIMEOUT when nobody types within timeoutSeconds', async () => {
    const sim = await simulator('tcp', { keys: '41' });
    const keypad = await open({ device: sim.address });
    const progress = recordProgress(keypad);
    expect(await rejectionOf(keypad.readCard({ timeoutSeconds: 1 }))).toMatchObject({ code: 'ENTRY_TIMEOUT', reason: 'TIMEOUT' });
    expect(progress.at(-1)?.state).toBe('TIMEOUT');
  });
});

describe('entry timeout on virtual time', () => {
  it('the default 60 s inactivity timeout passes in milliseconds when both sides share one SimulatedClock', async () => {
    const clock = new SimulatedClock();
    // Keepalive off, and the keypad's silent-host limit with it: jumping the clock by a minute would otherwise count
    // as a minute of silence on the link (PROTOCOL.md §6.4).
    const sim = await simulator('tcp', { clock, dropSilentHostAfterMs: 120_000 });
    const keypad = await open({ device: sim.address, clock, link: { pingIntervalMs: false, deadAfterMs: false } });
    const reading = rejectionOf(keypad.readCard());
    const entryOpen = await progressWhere(keypad, (p) => p.state === 'PAN');
    expect(entryOpen.secondsLeft).toBe(60);
    clock.increment(59_000);
    expect(sim.keypad.activeSessionId).toBeDefined();
    clock.increment(1_000);
    expect(await reading).toMatchObject({ code: 'ENTRY_TIMEOUT', reason: 'TIMEOUT' });
  });
});
