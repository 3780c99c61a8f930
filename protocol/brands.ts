/** Brand sets on the wire: u16 bitmask, bit n = BrandCode n; bit 0 (unknown) is never set. PROTOCOL.md §4. */
import { protocolError } from './errors.js';
import { BrandCode, type Brand } from './messages.js';

const CARD_BRANDS = (Object.keys(BrandCode) as Brand[]).filter((b) => b !== 'unknown');

/** Every bit a valid mask may have set. */
export const ALL_BRANDS_MASK = CARD_BRANDS.reduce((mask, brand) => mask | (1 << BrandCode[brand]), 0);

/** Brands to mask. Throws ProtocolError INVALID_MESSAGE for 'unknown' or a name that is no brand. */
export function brandsToMask(brands: readonly Brand[]): number {
  let mask = 0;
  for (const brand of brands) {
    const code: number | undefined = Object.hasOwn(BrandCode, brand) ? BrandCode[brand] : undefined;
    if (code === undefined || code === BrandCode.unknown) {
      throw protocolError('INVALID_MESSAGE', `not a card brand for a brand set: ${String(brand)}`);
    }
    mask |= 1 << code;
  }
  return mask;
}

/** True when the mask names only known brands (and not bit 0). */
export function isValidBrandMask(mask: number): boolean {
  return Number.isInteger(mask) && mask >= 0 && (mask & ~ALL_BRANDS_MASK) === 0;
}

/** Mask to brands, in code order. Bits that name no brand are ignored (check with isValidBrandMask). */
export function maskToBrands(mask: number): Brand[] {
  const brands: Brand[] = [];
  for (const brand of CARD_BRANDS) if (mask & (1 << BrandCode[brand])) brands.push(brand);
  return brands;
}
