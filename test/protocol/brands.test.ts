import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BrandCode, type Brand } from '../../protocol/index.js';
import { ALL_BRANDS_MASK, brandsToMask, isValidBrandMask, maskToBrands } from '../../protocol/brands.js';
import { arbBrandSet } from './arbitraries.js';

describe('brand masks', () => {
  it('sets bit n for BrandCode n', () => {
    expect(brandsToMask(['visa'])).toBe(1 << BrandCode.visa);
    expect(brandsToMask(['visa', 'jcb'])).toBe(0b1000010);
    expect(brandsToMask([])).toBe(0);
  });

  it('never uses bit 0 (unknown) and covers every other brand', () => {
    expect(ALL_BRANDS_MASK & 1).toBe(0);
    expect(maskToBrands(ALL_BRANDS_MASK)).toHaveLength(Object.keys(BrandCode).length - 1);
  });

  it('round-trips any brand set (code order, no duplicates)', () => {
    fc.assert(fc.property(arbBrandSet, (brands) => {
      const mask = brandsToMask(brands);
      expect(isValidBrandMask(mask)).toBe(true);
      expect(maskToBrands(mask)).toEqual(brands);
    }));
  });

  it('collapses duplicates', () => {
    expect(maskToBrands(brandsToMask(['jcb', 'visa', 'jcb']))).toEqual(['visa', 'jcb']);
  });

  it('refuses unknown and non-brands with INVALID_MESSAGE', () => {
    expect(() => brandsToMask(['unknown'])).toThrow(expect.objectContaining({ code: 'INVALID_MESSAGE' }));
    expect(() => brandsToMask(['toString' as Brand])).toThrow(expect.objectContaining({ code: 'INVALID_MESSAGE' }));
  });

  it('flags masks with bit 0 or bits above the last brand as invalid', () => {
    expect(isValidBrandMask(1)).toBe(false);
    expect(isValidBrandMask(1 << 15)).toBe(false);
    expect(isValidBrandMask(ALL_BRANDS_MASK)).toBe(true);
  });
});
