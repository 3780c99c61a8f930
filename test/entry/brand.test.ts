import { describe, expect, it } from 'vitest';
import { BRAND_PREFIX_DIGITS, detectBrand } from '../../device-sim/entry/index.js';

/** Published test numbers (card networks' and payment processors' documentation). */
const TEST_PANS = [
  ['visa', '4242424242424242'],
  ['visa', '4111111111111111'],
  ['mastercard', '5555555555554444'],
  ['mastercard', '2223003122003222'],
  ['american-express', '378282246310005'],
  ['diners-club', '36227206271667'],
  ['diners-club', '30569309025904'],
  ['discover', '6011111111111117'],
  ['jcb', '3530111333300000'],
  ['jcb', '3566002020360505'],
  ['unionpay', '6200000000000005'],
  ['maestro', '6759649826438453'],
  ['mir', '2200000000000004'],
  ['elo', '5066991111111118'],
  ['hipercard', '6062826786276634'],
] as const;

const toDigits = (pan: string) => Uint8Array.from(pan, (ch) => Number(ch));

describe('detectBrand', () => {
  // Titled by brand and row index, never by the number: test titles are printed in every test report.
  it.each(TEST_PANS)('names %s for its test number #%#', (brand, pan) => {
    expect(detectBrand(pan)).toBe(brand);
    expect(detectBrand(toDigits(pan))).toBe(brand);
  });

  it(`needs only the first ${BRAND_PREFIX_DIGITS} digits`, () => {
    for (const [brand, pan] of TEST_PANS) {
      const prefixOnly = new Uint8Array(pan.length);
      prefixOnly.set(toDigits(pan).subarray(0, BRAND_PREFIX_DIGITS));
      expect(detectBrand(prefixOnly)).toBe(brand);
    }
  });

  it('is "unknown" for brands the protocol has no code for, no match, ambiguity or non-digits', () => {
    expect(detectBrand('9792020000000001')).toBe('unknown'); // troy
    expect(detectBrand('9999999999999995')).toBe('unknown');
    expect(detectBrand('')).toBe('unknown');
    expect(detectBrand('6')).toBe('unknown'); // discover, unionpay, maestro, ... all still possible
    expect(detectBrand([4, 2, 10])).toBe('unknown');
    expect(detectBrand('42a4')).toBe('unknown');
  });
});
