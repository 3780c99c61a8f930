import { describe, expect, it } from 'vitest';
import { TenkeyError, type Brand } from '../../host-driver/index.js';
import { KSN_SIZE } from '../../protocol/constants.js';
import { cardKeys, open, PAST_EXPIRY, progressWhere, recordProgress, rejectionOf, simulator, TEST_CARDS, type Transport } from './harness.js';

const BRANDS = (Object.keys(TEST_CARDS) as (keyof typeof TEST_CARDS)[]).filter((name) => name !== 'luhn-fail');

describe('readCard', () => {
  // Each brand once; PTY and TCP alternate so both transports carry every kind of card number length.
  it.each(BRANDS.map((brand, i) => [brand, i % 2 === 0 ? 'tcp' : 'pty'] as [Brand & keyof typeof TEST_CARDS, Transport]))(
    'reads a %s card over %s: brand, last 3 digits, KSN and ciphertext',
    async (brand, transport) => {
      const pan = TEST_CARDS[brand];
      const sim = await simulator(transport, { keys: cardKeys(pan) });
      const keypad = await open({ device: sim.address });
      const card = await keypad.readCard({ timeoutSeconds: 10 });
      expect(card.brand).toBe(brand);
      expect(card.last).toBe(pan.slice(-3));
      expect(card.keySerialNumber).toMatch(new RegExp(`^[0-9a-f]{${KSN_SIZE * 2}}$`));
      expect(card.encryptedBlock).toMatch(/^([0-9a-f]{2}){32,}$/);
      expect(card.device).toMatchObject({ address: sim.address, model: 'TENKEY-SIM', protocolVersion: 1 });
      expect(card.device.keySetId).toMatch(/^[0-9a-f]{16}$/);
    },
  );

  it('reports progress as states and digit counts, ending in DONE', async () => {
    // A KEY for every key, however fast the script (no §5.11 merging): each must become one progress report.
    const sim = await simulator('tcp', { keys: cardKeys(TEST_CARDS.visa), mergeKeyReports: false });
    const keypad = await open({ device: sim.address });
    const progress = recordProgress(keypad);
    await keypad.readCard({ timeoutSeconds: 10 });
    const panCounts = progress.filter((p) => p.field === 'PAN' && p.key === 'DIGIT').map((p) => p.digits);
    expect(panCounts).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const expiryCounts = progress.filter((p) => p.field === 'EXPIRY' && p.key === 'DIGIT').map((p) => p.digits);
    expect(expiryCounts).toEqual([1, 2, 3, 4]);
    expect(progress.at(-1)).toMatchObject({ state: 'DONE', field: 'NONE' });
    expect(new Set(progress.map((p) => p.sessionId)).size).toBe(1);
  });

  it('reports the newest count when the keypad merged reports that outran the line (§5.11)', async () => {
    const sim = await simulator('tcp', { keys: cardKeys(TEST_CARDS.visa) }); // typed in one go: faster than any round trip
    const keypad = await open({ device: sim.address });
    const progress = recordProgress(keypad);
    const card = await keypad.readCard({ timeoutSeconds: 10 });
    expect(card.brand).toBe('visa');
    const counts = (field: string) => progress.filter((p) => p.field === field && p.key === 'DIGIT').map((p) => p.digits);
    expect(counts('PAN').length).toBeLessThan(16);
    expect(counts('PAN').at(-1)).toBe(16);
    expect(counts('EXPIRY').at(-1)).toBe(4);
    for (const field of ['PAN', 'EXPIRY']) expect(counts(field)).toEqual([...counts(field)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ state: 'DONE', field: 'NONE' });
  });

  it.each([0, 1, 4])('reveals exactly %i last digits', async (reveal) => {
    const sim = await simulator('tcp', { keys: cardKeys(TEST_CARDS.mastercard) });
    const keypad = await open({ device: sim.address });
    const card = await keypad.readCard({ reveal });
    expect(card.last).toBe(reveal === 0 ? '' : TEST_CARDS.mastercard.slice(-reveal));
  });

  it('reads without expiry when expiryRequired is false', async () => {
    const sim = await simulator('tcp', { keys: `${TEST_CARDS.jcb}<enter>` });
    const keypad = await open({ device: sim.address });
    const card = await keypad.readCard({ expiryRequired: false });
    expect(card.brand).toBe('jcb');
  });

  it('accepts a valid number typed after an invalid one in the same entry (notice INVALID_PAN on the way)', async () => {
    const sim = await simulator('pty', { keys: `4111111111111112<enter>${cardKeys(TEST_CARDS.visa)}` });
    const keypad = await open({ device: sim.address });
    const progress = recordProgress(keypad);
    const card = await keypad.readCard();
    expect(card).toMatchObject({ brand: 'visa', last: '111' });
    expect(progress.some((p) => p.notice === 'INVALID_PAN')).toBe(true);
  });

  it('fails CARD_SERVICE / INVALID_CARD after three invalid numbers, then reads a valid card in the next entry', async () => {
    const sim = await simulator('tcp');
    const keypad = await open({ device: sim.address });
    const bad = '4111111111111112<enter>';
    const first = keypad.readCard();
    await progressWhere(keypad, (p) => p.state === 'PAN');
    void sim.keypad.type(bad.repeat(3));
    const error = await rejectionOf(first);
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'CARD_SERVICE', reason: 'INVALID_CARD' });

    const second = keypad.readCard();
    await progressWhere(keypad, (p) => p.state === 'PAN');
    void sim.keypad.type(cardKeys(TEST_CARDS.discover));
    expect(await second).toMatchObject({ brand: 'discover', last: '117' });
  });

  it('fails CARD_SERVICE / EXPIRED_CARD for an expiry in the past', async () => {
    const sim = await simulator('tcp', { keys: cardKeys(TEST_CARDS.visa, PAST_EXPIRY) });
    const keypad = await open({ device: sim.address });
    expect(await rejectionOf(keypad.readCard())).toMatchObject({ code: 'CARD_SERVICE', reason: 'EXPIRED_CARD' });
  });

  it('fails CARD_SERVICE / UNSUPPORTED_BRAND for a brand the configured service does not take', async () => {
    const sim = await simulator('pty', { keys: cardKeys(TEST_CARDS.unionpay) });
    const keypad = await open({ device: sim.address, service: 'temona-payment-g' });
    expect(await rejectionOf(keypad.readCard())).toMatchObject({ code: 'CARD_SERVICE', reason: 'UNSUPPORTED_BRAND' });
  });

  it("fails CARD_SERVICE / UNSUPPORTED_BRAND when the keypad's own service refuses the brand", async () => {
    const sim = await simulator('tcp', { keys: cardKeys(TEST_CARDS.jcb), service: 'visa-master' });
    const keypad = await open({ device: sim.address });
    expect(await rejectionOf(keypad.readCard())).toMatchObject({ code: 'CARD_SERVICE', reason: 'UNSUPPORTED_BRAND' });
  });

  it('fails TEMPORARY / KEY_EXHAUSTED when the keypad has no keys left', async () => {
    const sim = await simulator('tcp', { keys: cardKeys(TEST_CARDS.visa), faults: 'exhaust-key' });
    const keypad = await open({ device: sim.address });
    expect(await rejectionOf(keypad.readCard())).toMatchObject({ code: 'TEMPORARY', reason: 'KEY_EXHAUSTED' });
  });

  it('refuses out-of-range options with TEMPORARY / INVALID_OPTIONS without starting an entry', async () => {
    const sim = await simulator('tcp');
    const keypad = await open({ device: sim.address });
    expect(await rejectionOf(keypad.readCard({ reveal: 5 }))).toMatchObject({ code: 'TEMPORARY', reason: 'INVALID_OPTIONS' });
    expect(sim.keypad.activeSessionId).toBeUndefined();
  });

  it.each([
    ['null options', null],
    ['a signal that is not an AbortSignal', { signal: {} }],
    ['options that are not an object', 'fast'],
  ])('refuses %s with TEMPORARY / INVALID_OPTIONS and stays free for the next entry', async (_name, options) => {
    const sim = await simulator('tcp', { keys: cardKeys(TEST_CARDS.visa) });
    const keypad = await open({ device: sim.address });
    const error = await rejectionOf(keypad.readCard(options as never));
    expect(error).toBeInstanceOf(TenkeyError);
    expect(error).toMatchObject({ code: 'TEMPORARY', reason: 'INVALID_OPTIONS' });
    expect(keypad.busy).toBe(false);
    expect(sim.keypad.activeSessionId).toBeUndefined();
    expect(await keypad.readCard()).toMatchObject({ brand: 'visa', last: '111' });
  });
});

