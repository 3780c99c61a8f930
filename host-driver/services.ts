/**
 * 利用サービス (the store's card service setting) → the brands that service accepts. The driver sends
 * the set in START_ENTRY so the keypad refuses other brands at once (UNSUPPORTED_BRAND → CARD_SERVICE),
 * before anything reaches the service.
 */
import type { Brand } from '../protocol/index.js';

export interface CardService {
  /** Stable id used in settings files and on the command line. */
  readonly id: string;
  /** Name as the store's settings screen shows it. */
  readonly nameJa: string;
  /** Brands the service accepts; empty = whatever the keypad is configured for. */
  readonly acceptedBrands: readonly Brand[];
}

const JAPAN_MAJOR_FIVE: readonly Brand[] = ['visa', 'mastercard', 'jcb', 'american-express', 'diners-club'];

/** Same ids as the simulator's device-sim/services.ts, so `tenkey sim --service X` and `tenkey read --service X` agree. */
export const CARD_SERVICES: readonly CardService[] = [
  { id: 'all', nameJa: '指定なし', acceptedBrands: [] },
  { id: 'temona-payment-g', nameJa: 'テモナペイメントG', acceptedBrands: JAPAN_MAJOR_FIVE },
  { id: 'remise', nameJa: 'ルミーズ', acceptedBrands: [...JAPAN_MAJOR_FIVE, 'discover'] },
  { id: 'gmo-pg', nameJa: 'GMOペイメントゲートウェイ', acceptedBrands: [...JAPAN_MAJOR_FIVE, 'discover', 'unionpay'] },
  { id: 'visa-master', nameJa: 'Visa/Mastercard のみ', acceptedBrands: ['visa', 'mastercard'] },
];

/** The service named `name` (its id, case-insensitively — 'any' is an alias of 'all' — or its Japanese name), or undefined. */
export function findCardService(name: string): CardService | undefined {
  if (typeof name !== 'string') return undefined;
  const wanted = name.trim().toLowerCase();
  const id = wanted === 'any' ? 'all' : wanted;
  return CARD_SERVICES.find((s) => s.id === id || s.nameJa === name.trim());
}
