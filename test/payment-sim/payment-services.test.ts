/**
 * The payment-side stand-ins: the token service turns a keypad RESULT (KSN + ciphertext) into a random one-time
 * token with brand and last three digits only; the authorization service spends that token once and answers
 * with the documented test outcome of the card behind it.
 */
import { describe, expect, it } from 'vitest';
import { DukptDevice } from '../../device-sim/crypto/aes-dukpt.js';
import { encryptCardEntry } from '../../device-sim/crypto/card-block.js';
import { AUTHORIZATION_TEST_CARDS, TEST_CARDS } from '../../device-sim/test-cards.js';
import { AuthorizationService, createTestPaymentServices, TokenService } from '../../payment-sim/index.js';
import { BDK, hex, INITIAL_KEY, INITIAL_KEY_ID } from '../crypto/x9-24-3-vectors.js';
import { codeOf } from './payment-error-code.js';

const TODAY = new Date('2026-11-27T00:00:00Z');
const digitsOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0) - 0x30);
const device = new DukptDevice(hex(INITIAL_KEY), hex(INITIAL_KEY_ID));
/** What a keypad RESULT would carry for this card, as the host driver hands it over (hex). */
function resultFor(pan: string, expiry?: string) {
  const block = encryptCardEntry(device, expiry === undefined ? { panDigits: digitsOf(pan) } : { panDigits: digitsOf(pan), expiry: digitsOf(expiry) });
  return { keySerialNumber: Buffer.from(block.keySerialNumber).toString('hex'), encryptedBlock: Buffer.from(block.encryptedBlock).toString('hex') };
}
function services(now: () => Date = () => TODAY) {
  const tokens = new TokenService(hex(BDK), { keySetId: INITIAL_KEY_ID, now });
  return { tokens, authorizations: new AuthorizationService(tokens, { now }) };
}

describe('TokenService.tokenize', () => {
  it('returns a random token, the brand and the last three digits, and never the card number', () => {
    const { tokens } = services();
    const card = tokens.tokenize({ ...resultFor(TEST_CARDS.visa, '1229'), keySetId: INITIAL_KEY_ID });
    expect(card).toEqual({ token: expect.stringMatching(/^tok_[0-9a-f]{32}$/), brand: 'visa', last3: TEST_CARDS.visa.slice(-3) });
    expect(JSON.stringify(card)).not.toContain(TEST_CARDS.visa);
    expect(tokens.size).toBe(1);
  });

  it('gives the same card a new token every time (one-time tokens, not card fingerprints)', () => {
    const { tokens } = services();
    const a = tokens.tokenize(resultFor(TEST_CARDS.jcb));
    const b = tokens.tokenize(resultFor(TEST_CARDS.jcb));
    expect(a.brand).toBe('jcb');
    expect(b.token).not.toBe(a.token);
  });

  it('accepts the fields as bytes too', () => {
    const block = encryptCardEntry(device, { panDigits: digitsOf(TEST_CARDS.mastercard) });
    expect(services().tokens.tokenize(block)).toMatchObject({ brand: 'mastercard', last3: TEST_CARDS.mastercard.slice(-3) });
  });

  it.each([
    ['a KSN that is not hex', { keySerialNumber: 'zz', encryptedBlock: '00' }, 'BAD_INPUT'],
    ['an odd number of hex digits', { keySerialNumber: 'abc', encryptedBlock: '00' }, 'BAD_INPUT'],
    ['a number instead of hex', { keySerialNumber: 12, encryptedBlock: '00' }, 'BAD_INPUT'],
    ['a block of the wrong length', { keySerialNumber: '00'.repeat(12), encryptedBlock: '00'.repeat(10) }, 'UNREADABLE_CARD'],
  ])('refuses %s with a typed error', (_what, request, code) => {
    expect(codeOf(() => services().tokens.tokenize(request as never))).toBe(code);
  });

  it('refuses a block encrypted under another key set, or one its BDK cannot read', () => {
    expect(codeOf(() => services().tokens.tokenize({ ...resultFor(TEST_CARDS.visa), keySetId: 'ffffffffffffffff' }))).toBe('UNKNOWN_KEY_SET');
    const stranger = new TokenService(Buffer.alloc(16, 0x42));
    expect(codeOf(() => stranger.tokenize(resultFor(TEST_CARDS.visa)))).toBe('UNREADABLE_CARD');
  });

  it('forgets a token nobody used once its lifetime is over', () => {
    let now = TODAY.getTime();
    const tokens = new TokenService(hex(BDK), { tokenTtlMs: 60_000, now: () => new Date(now) });
    const { token } = tokens.tokenize(resultFor(TEST_CARDS.visa));
    now += 60_000;
    expect(codeOf(() => new AuthorizationService(tokens).authorize(token, { amount: 100 }))).toBe('UNKNOWN_TOKEN');
    expect(tokens.size).toBe(0);
  });
});

describe('AuthorizationService.authorize', () => {
  it('approves a test card, with brand, last three digits and an authorization id', () => {
    const { tokens, authorizations } = services();
    const { token } = tokens.tokenize(resultFor(TEST_CARDS.visa, '1229'));
    expect(authorizations.authorize(token, { amount: 3980 })).toEqual({
      outcome: 'approved', authorizationId: expect.stringMatching(/^auth_[0-9a-f]{16}$/), amount: 3980, brand: 'visa', last3: TEST_CARDS.visa.slice(-3),
    });
  });

  it('spends the token: a second authorization with it is refused, whatever the first answered', () => {
    const { tokens, authorizations } = services();
    const approved = tokens.tokenize(resultFor(TEST_CARDS.visa)).token;
    const declined = tokens.tokenize(resultFor(AUTHORIZATION_TEST_CARDS.declined)).token;
    authorizations.authorize(approved, { amount: 1 });
    authorizations.authorize(declined, { amount: 1 });
    expect(codeOf(() => authorizations.authorize(approved, { amount: 1 }))).toBe('UNKNOWN_TOKEN');
    expect(codeOf(() => authorizations.authorize(declined, { amount: 1 }))).toBe('UNKNOWN_TOKEN');
    expect(tokens.size).toBe(0);
  });

  // Titled by what the card is, never by its number (test titles land in every report).
  it.each([
    ['a number failing the Luhn check', 'luhn-fail', undefined, 'INVALID_NUMBER'],
    ['the "declined" test card', 'declined', undefined, 'DECLINED'],
    ['the "insufficient funds" test card', 'insufficient-funds', undefined, 'INSUFFICIENT_FUNDS'],
    ['the "expired card" test card', 'expired-card', '1230', 'EXPIRED_CARD'],
    ['the Visa test card', 'visa', '1026', 'EXPIRED_CARD'],
  ] as const)('declines %s (expiry %s) with %s', (_card, name, expiry, reason) => {
    const pan = name in TEST_CARDS ? TEST_CARDS[name as keyof typeof TEST_CARDS] : AUTHORIZATION_TEST_CARDS[name as keyof typeof AUTHORIZATION_TEST_CARDS];
    const { tokens, authorizations } = services();
    const { token } = tokens.tokenize(resultFor(pan, expiry));
    expect(authorizations.authorize(token, { amount: 500 })).toEqual({ outcome: 'declined', reason, brand: 'visa', last3: pan.slice(-3) });
  });

  it('answers "unavailable" for the unavailable test card, even with an expiry in the past', () => {
    const { tokens, authorizations } = services();
    const { token } = tokens.tokenize(resultFor(AUTHORIZATION_TEST_CARDS.unavailable, '0120'));
    expect(authorizations.authorize(token, { amount: 500 })).toEqual({ outcome: 'unavailable' });
  });

  it('treats a card as valid through the end of its expiry month', () => {
    const { tokens, authorizations } = services();
    const { token } = tokens.tokenize(resultFor(TEST_CARDS.visa, '1126'));
    expect(authorizations.authorize(token, { amount: 1 }).outcome).toBe('approved');
  });

  it.each([[0], [-5], [1.5], ['100'], [undefined]])('refuses amount %j with BAD_INPUT and keeps the token', (amount) => {
    const { tokens, authorizations } = services();
    const { token } = tokens.tokenize(resultFor(TEST_CARDS.visa));
    expect(codeOf(() => authorizations.authorize(token, { amount } as never))).toBe('BAD_INPUT');
    expect(authorizations.authorize(token, { amount: 1 }).outcome).toBe('approved');
  });

  it('refuses a token it never issued', () => {
    expect(codeOf(() => services().authorizations.authorize('tok_00000000000000000000000000000000', { amount: 1 }))).toBe('UNKNOWN_TOKEN');
    expect(codeOf(() => services().authorizations.authorize(42 as never, { amount: 1 }))).toBe('UNKNOWN_TOKEN');
  });
});

describe('createTestPaymentServices', () => {
  it('reads what the simulator encrypts under the TEST-ONLY keys in fixtures/keys/', async () => {
    const { createTestDukptDevice } = await import('../../device-sim/crypto/test-keys.js');
    const block = encryptCardEntry(createTestDukptDevice(), { panDigits: digitsOf(TEST_CARDS.discover), expiry: digitsOf('1230') });
    const { tokens, authorizations } = createTestPaymentServices({ now: () => TODAY });
    const card = tokens.tokenize(block);
    expect(card).toMatchObject({ brand: 'discover', last3: TEST_CARDS.discover.slice(-3) });
    expect(authorizations.authorize(card.token, { amount: 1 }).outcome).toBe('approved');
  });
});
