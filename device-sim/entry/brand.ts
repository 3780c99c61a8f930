/**
 * Card brand from the leading digits, by credit-card-type (the protocol's Brand names are its identifiers).
 */
import creditCardType from 'credit-card-type';
import { BrandCode, type Brand } from '../../protocol/messages.js';

/**
 * credit-card-type's longest IIN pattern is 8 digits, so the brand never needs more of the PAN than that:
 * only this prefix (which PCI DSS lets a terminal display anyway) is ever turned into a string.
 */
export const BRAND_PREFIX_DIGITS = 8;

/**
 * Brand of a card number given as digit values (e.g. the entry buffer; only the first 8 are read) or as a
 * digit string. 'unknown' when credit-card-type finds no single match, or the match is a brand the protocol
 * has no code for (troy, naranja, verve).
 */
export function detectBrand(digits: ArrayLike<number> | string): Brand {
  const count = Math.min(digits.length, BRAND_PREFIX_DIGITS);
  if (count === 0) return 'unknown';
  let prefix = '';
  for (let i = 0; i < count; i++) {
    const d = typeof digits === 'string' ? digits.charCodeAt(i) - 0x30 : digits[i];
    if (d === undefined || !Number.isInteger(d) || d < 0 || d > 9) return 'unknown';
    prefix += String(d);
  }
  const matches = creditCardType(prefix);
  const only = matches.length === 1 ? matches[0] : undefined;
  return only !== undefined && isProtocolBrand(only.type) ? only.type : 'unknown';
}

export function isProtocolBrand(name: string): name is Brand {
  return Object.hasOwn(BrandCode, name);
}
