/**
 * 利用サービス on the keypad itself: the card service the simulated keypad is configured for, and so the brands
 * it accepts when START_ENTRY leaves the choice to the device (acceptedBrands empty). A host that sends its own
 * set overrides this one for that session.
 *
 * Services (ids match host-driver/services.ts, so `tenkey sim --service X` and `tenkey read --service X` agree):
 *   all               every brand, also numbers no brand matches (the default)
 *   temona-payment-g  テモナペイメントG: visa, mastercard, jcb, american-express, diners-club
 *   remise            ルミーズ: the five above + discover
 *   gmo-pg            GMOペイメントゲートウェイ: the five above + discover, unionpay
 *   visa-master       Visa/Mastercard only: refuses jcb, amex, diners, discover, unionpay (tests of UNSUPPORTED_BRAND)
 */
import type { Brand } from '../protocol/messages.js';
import { maskToBrands, ALL_BRANDS_MASK } from '../protocol/brands.js';

export interface KeypadService {
  /** Name on the command line (`--service`). */
  readonly id: string;
  /** As a store's settings screen shows it. */
  readonly nameJa: string;
  /** Brands accepted; 'all' = no restriction at all (even numbers no brand matches). */
  readonly brands: readonly Brand[] | 'all';
}

const JAPAN_MAJOR_FIVE: readonly Brand[] = ['visa', 'mastercard', 'jcb', 'american-express', 'diners-club'];

export const DEFAULT_SERVICE_ID = 'all';

export const KEYPAD_SERVICES: readonly KeypadService[] = [
  { id: 'all', nameJa: '指定なし', brands: 'all' },
  { id: 'temona-payment-g', nameJa: 'テモナペイメントG', brands: JAPAN_MAJOR_FIVE },
  { id: 'remise', nameJa: 'ルミーズ', brands: [...JAPAN_MAJOR_FIVE, 'discover'] },
  { id: 'gmo-pg', nameJa: 'GMOペイメントゲートウェイ', brands: [...JAPAN_MAJOR_FIVE, 'discover', 'unionpay'] },
  { id: 'visa-master', nameJa: 'Visa/Mastercard のみ', brands: ['visa', 'mastercard'] },
];

export class UnknownServiceError extends Error {
  override readonly name = 'UnknownServiceError';
  readonly code = 'UNKNOWN_SERVICE';
  constructor(readonly service: string) {
    super(`unknown card service "${service}" (known: ${KEYPAD_SERVICES.map((s) => s.id).join(', ')})`);
  }
}

/** The service by id (case-insensitive; 'any' is an alias of 'all') or Japanese name; throws UnknownServiceError. */
export function findKeypadService(name: string = DEFAULT_SERVICE_ID): KeypadService {
  const wanted = name.trim().toLowerCase();
  const id = wanted === 'any' ? 'all' : wanted;
  const service = KEYPAD_SERVICES.find((s) => s.id === id || s.nameJa === name.trim());
  if (service === undefined) throw new UnknownServiceError(name);
  return service;
}

/** The entry machine's accepted set: empty = no restriction. */
export function entryBrandsOf(service: KeypadService): readonly Brand[] {
  return service.brands === 'all' ? [] : service.brands;
}

/** INFO.acceptedBrands: every brand the protocol names when the service takes all. */
export function infoBrandsOf(service: KeypadService): Brand[] {
  return service.brands === 'all' ? maskToBrands(ALL_BRANDS_MASK) : [...service.brands];
}
