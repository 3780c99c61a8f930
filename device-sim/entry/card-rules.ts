/**
 * The checks the keypad makes on what was typed, over digit buffers (digit values, never strings).
 */
import luhn10 from 'card-validator/dist/luhn-10.js';
import type { Brand } from '../../protocol/messages.js';

/** Device calendar month, for the expiry check. */
export interface CalendarMonth {
  year: number;
  /** 1–12 */
  month: number;
}

/**
 * Luhn check of the first `count` digits. card-validator's luhn10 only reads `length` and `charAt(i)`,
 * so it is handed a view of the buffer and the whole PAN never exists as one (unwipeable) JS string.
 */
export function isLuhnValid(digits: Uint8Array, count: number): boolean {
  const view = {
    length: count,
    charAt: (i: number): string => String(digits[i] ?? 0),
  };
  return luhn10(view);
}

/** Accepted set semantics: empty = no restriction (even 'unknown'); otherwise only the brands listed. */
export function isBrandAccepted(brand: Brand, accepted: readonly Brand[]): boolean {
  return accepted.length === 0 || accepted.includes(brand);
}

export type ExpiryCheck = 'valid' | 'invalid' | 'expired';

/**
 * MMYY (4 digit values). A card is valid through the end of its month. YY is read as 20YY: the keypad's
 * calendar starts in this century, and card-validator's expiry check can't take an injected date.
 */
export function checkExpiry(digits: Uint8Array, count: number, today: CalendarMonth): ExpiryCheck {
  if (count !== 4) return 'invalid';
  const [m1 = 0, m2 = 0, y1 = 0, y2 = 0] = digits;
  const month = m1 * 10 + m2;
  if (month < 1 || month > 12) return 'invalid';
  const year = 2000 + y1 * 10 + y2;
  if (year < today.year || (year === today.year && month < today.month)) return 'expired';
  return 'valid';
}

/** The last `reveal` digits as ASCII, the only PAN digits that ever leave the keypad. */
export function lastDigits(digits: Uint8Array, count: number, reveal: number): string {
  let last = '';
  for (let i = Math.max(0, count - reveal); i < count; i++) last += String(digits[i] ?? 0);
  return last;
}
