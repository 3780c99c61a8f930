/**
 * The store pages' card mask (demo-store/public/js/brands.js, a browser module with no npm imports) against
 * credit-card-type, the brand table the rest of the tree uses: same gaps, same usual lengths, one ● per hidden digit.
 */
import creditCardType from 'credit-card-type';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { publicRoot } from '../../demo-store/public-root.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface BrandsModule {
  BRAND_GAPS: Record<string, number[]>;
  DEFAULT_GAPS: number[];
  BRAND_LENGTHS: Record<string, number>;
  DEFAULT_LENGTH: number;
  maskedCard(last3: string, brand: string, length?: number): string;
  yen(amount: number | string): string;
}
const brands = (await import(pathToFileURL(join(publicRoot(), 'js', 'brands.js')).href)) as BrandsModule;
const BRANDS = ['visa', 'mastercard', 'american-express', 'diners-club', 'discover', 'jcb', 'unionpay', 'maestro'];

describe('the store pages\' card mask', () => {
  it.each(BRANDS)('spaces a %s number at credit-card-type\'s gaps, with its usual length', (brand) => {
    const info = creditCardType.getTypeInfo(brand);
    expect(brands.BRAND_GAPS[brand] ?? brands.DEFAULT_GAPS).toEqual(info.gaps);
    expect(info.lengths).toContain(brands.BRAND_LENGTHS[brand] ?? brands.DEFAULT_LENGTH);
  });

  it('shows one ● per hidden digit and the last 3, for any length', () => {
    fc.assert(fc.property(fc.constantFrom(...BRANDS), fc.integer({ min: 12, max: 19 }), fc.stringMatching(/^\d{3}$/), (brand, length, last3) => {
      const masked = brands.maskedCard(last3, brand, length);
      expect(masked.replaceAll(' ', '')).toBe('●'.repeat(length - 3) + last3);
      const gaps = creditCardType.getTypeInfo(brand).gaps.filter((g) => g < length);
      expect([...masked].flatMap((c, i) => (c === ' ' ? [i] : []))).toEqual(gaps.map((g, n) => g + n));
    }));
  });

  it('falls back on the brand\'s usual length when the count is missing', () => {
    expect(brands.maskedCard('005', 'american-express')).toBe('●●●● ●●●●●● ●●005');
    expect(brands.maskedCard('111', 'visa')).toBe('●●●● ●●●● ●●●● ●111');
  });

  it('prints amounts as 3,980円', () => {
    expect(brands.yen(3980)).toBe('3,980円');
    expect(brands.yen('1234567')).toBe('1,234,567円');
  });
});
