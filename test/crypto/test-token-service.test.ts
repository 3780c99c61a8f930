import { describe, expect, it } from 'vitest';
import { DukptDevice } from '../../device-sim/crypto/aes-dukpt.js';
import { encryptCardEntry } from '../../device-sim/crypto/card-block.js';
import { CryptoError } from '../../device-sim/crypto/errors.js';
import { TestTokenService } from '../../device-sim/crypto/test-token-service.js';
import { BDK, hex, INITIAL_KEY, INITIAL_KEY_ID } from './x9-24-3-vectors.js';

const digitsOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0) - 0x30);
const device = new DukptDevice(hex(INITIAL_KEY), hex(INITIAL_KEY_ID));
/** What a keypad RESULT would carry for this card. */
const resultFor = (pan: string, expiry?: string) =>
  encryptCardEntry(device, expiry === undefined ? { panDigits: digitsOf(pan) } : { panDigits: digitsOf(pan), expiry: digitsOf(expiry) });
const service = new TestTokenService(hex(BDK), { now: () => new Date('2026-11-27T00:00:00Z') });

describe('TestTokenService', () => {
  it('approves a Luhn-valid test card and returns a token, the brand and the last three digits only', () => {
    const result = service.authorize(resultFor('4111111111111111', '1229'));
    expect(result).toEqual({ token: expect.stringMatching(/^tok_[0-9a-f]{32}$/), brand: 'visa', last3: '111', approved: true });
    expect(JSON.stringify(result)).not.toContain('4111111111111111');
  });

  it('names other brands (JCB) and leaves the brand out when no brand matches', () => {
    expect(service.authorize(resultFor('3530111333300000')).brand).toBe('jcb');
    const unknown = service.authorize(resultFor('9000000000000019'));
    expect(unknown.approved).toBe(true);
    expect(unknown).not.toHaveProperty('brand');
  });

  it('gives one card the same token whatever KSN and IV carried it, and different cards different tokens', () => {
    const a1 = service.authorize(resultFor('4111111111111111'));
    const a2 = service.authorize(resultFor('4111111111111111', '0130'));
    const b = service.authorize(resultFor('5555555555554444'));
    expect(a2.token).toBe(a1.token);
    expect(b.token).not.toBe(a1.token);
  });

  it('makes tokens under its own key (another token key, another token)', () => {
    const card = resultFor('4111111111111111');
    const other = new TestTokenService(hex(BDK), { tokenKey: Buffer.alloc(32, 9) });
    expect(other.authorize(card).token).not.toBe(service.authorize(card).token);
  });

  // Titled by what the card is, never by its number: test titles are printed in every test report.
  // (The number is the last column: printf placeholders take columns in order.)
  it.each([
    ['a number failing the Luhn check', undefined, 'INVALID_NUMBER', '4111111111111112'],
    ['the "declined" test card', undefined, 'DECLINED', '4000000000000002'],
    ['the "insufficient funds" test card', undefined, 'INSUFFICIENT_FUNDS', '4000000000009995'],
    ['the "expired card" test card', '1230', 'EXPIRED_CARD', '4000000000000069'],
    ['the Visa test card', '1026', 'EXPIRED_CARD', '4111111111111111'],
  ])('declines %s (expiry %s) with %s', (_card, expiry, declineReason, pan) => {
    const result = service.authorize(resultFor(pan, expiry));
    expect(result).toMatchObject({ approved: false, declineReason, last3: pan.slice(-3) });
  });

  it('treats a card as valid through the end of its expiry month', () => {
    expect(service.authorize(resultFor('4111111111111111', '1126')).approved).toBe(true);
  });

  it('throws a CryptoError for a block it cannot read (another BDK)', () => {
    const stranger = new TestTokenService(Buffer.alloc(16, 0x42));
    const card = resultFor('4111111111111111');
    expect(() => stranger.authorize(card)).toThrow(CryptoError);
  });
});
