/**
 * 利用サービス: the card services a store can select, and the brands each accepts. One table for both ends:
 * the keypad's configured service (`tenkey sim --service`) and the driver's `service` setting (sent as
 * START_ENTRY.acceptedBrands) name services from this list, so they always agree.
 */
import type { Brand } from './messages.js';
import { printableText } from './printable-text.js';

export interface CardService {
  /** Stable id used in settings files and on the command line. */
  readonly id: string;
  /** Name as the store's settings screen shows it. */
  readonly nameJa: string;
  /** Brands accepted; 'all' = no restriction (even numbers no brand matches). */
  readonly brands: readonly Brand[] | 'all';
}

const JAPAN_MAJOR_FIVE: readonly Brand[] = ['visa', 'mastercard', 'jcb', 'american-express', 'diners-club'];

export const DEFAULT_CARD_SERVICE_ID = 'all';

export const CARD_SERVICES: readonly CardService[] = [
  { id: 'all', nameJa: '指定なし', brands: 'all' },
  { id: 'temona-payment-g', nameJa: 'テモナペイメントG', brands: JAPAN_MAJOR_FIVE },
  { id: 'remise', nameJa: 'ルミーズ', brands: [...JAPAN_MAJOR_FIVE, 'discover'] },
  { id: 'gmo-pg', nameJa: 'GMOペイメントゲートウェイ', brands: [...JAPAN_MAJOR_FIVE, 'discover', 'unionpay'] },
  { id: 'visa-master', nameJa: 'Visa/Mastercard のみ', brands: ['visa', 'mastercard'] },
];

/** The service by id (case-insensitive; 'any' is an alias of 'all') or by its Japanese name; undefined if none. */
export function findCardService(name: string): CardService | undefined {
  if (typeof name !== 'string') return undefined;
  const wanted = name.trim().toLowerCase();
  const id = wanted === 'any' ? 'all' : wanted;
  return CARD_SERVICES.find((s) => s.id === id || s.nameJa === name.trim());
}

/** The set START_ENTRY and the entry machine use: empty = no restriction. */
export function acceptedBrandsOf(service: CardService): readonly Brand[] {
  return service.brands === 'all' ? [] : service.brands;
}

/** Every service id, as `--help` and the errors list them. */
export function cardServiceIds(): string {
  return CARD_SERVICES.map((s) => s.id).join(', ');
}

/** The detail of an unknown service, listing the valid ids; the name is the caller's, so it is shown printable (escaped, capped, digit runs masked). */
export function unknownServiceDetail(service: string): string {
  return `unknown card service "${printableText(service, 60)}" (known: ${cardServiceIds()})`;
}
