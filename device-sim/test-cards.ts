/**
 * Test cards and the key scripts that name them. Capture files never hold a card number: a fixture's
 * `scenario.keys` says "pan:visa", and this table (public test numbers of the card networks, valid for no
 * payment) turns it into key presses when a replay drives the simulator. The fixture scan test reads this
 * table too, and fails if any of these numbers shows up in a fixture in any encoding.
 */
import { CodedError } from '../protocol/coded-error.js';
import type { KeypadKey } from './entry/keys.js';

export const TEST_CARDS = {
  visa: '4111111111111111',
  mastercard: '5555555555554444',
  'american-express': '378282246310005',
  jcb: '3530111333300000',
  'diners-club': '36227206271667',
  discover: '6011111111111117',
  unionpay: '6200000000000005',
  /** Fails the Luhn check (a typo of the visa number). */
  'luhn-fail': '4111111111111112',
} as const;
export type TestCardName = keyof typeof TEST_CARDS;

/**
 * Test cards for the card service's 与信 (payment-sim/authorization-rules.ts gives each its outcome): Luhn-valid
 * Visa numbers of the card networks' sandboxes that the keypad accepts like any card; only the mock
 * authorization tells them apart. Kept out of TEST_CARDS, whose names are brands.
 */
export const AUTHORIZATION_TEST_CARDS = {
  /** 与信 declined (DECLINED) → the store shows CARD_SERVICE. */
  declined: '4000000000000002',
  /** 与信 declined (INSUFFICIENT_FUNDS) → CARD_SERVICE. */
  'insufficient-funds': '4000000000009995',
  /** 与信 declined (EXPIRED_CARD) whatever expiry was typed → CARD_SERVICE. */
  'expired-card': '4000000000000069',
  /** The card service answers "service unavailable" → the store shows TEMPORARY. */
  unavailable: '4000000000000119',
} as const;
export type AuthorizationTestCardName = keyof typeof AUTHORIZATION_TEST_CARDS;

/** Every test card number above: what no-cleartext scans look for. */
export const ALL_TEST_CARD_NUMBERS: readonly string[] = [...Object.values(TEST_CARDS), ...Object.values(AUTHORIZATION_TEST_CARDS)];

export function isTestCardName(name: string): name is TestCardName {
  return Object.hasOwn(TEST_CARDS, name);
}

const NAMED_KEYS: ReadonlySet<string> = new Set(['backspace', 'clear', 'enter', 'cancel']);

/** A scenario key-script item that cannot be expanded (unknown card, exp:… without deviceDate, not an item). */
export class ScenarioKeysError extends CodedError<'BAD_ITEM'> {
  constructor(readonly item: string, message: string) {
    super('BAD_ITEM', message);
  }
}

/** Expiry as MMYY relative to the device's calendar date (YYYY-MM-DD): "valid" = in two years, "expired" = a year ago. */
export function expiryFor(kind: 'valid' | 'expired', deviceDate: string): string {
  const match = /^(\d{4})-(\d{2})-\d{2}$/.exec(deviceDate);
  if (!match) throw new ScenarioKeysError(`exp:${kind}`, `deviceDate ${JSON.stringify(deviceDate)} is not YYYY-MM-DD`);
  const year = Number(match[1]) + (kind === 'valid' ? 2 : -1);
  return `${match[2]}${String(year % 100).padStart(2, '0')}`;
}

/**
 * Expands a scenario key script into single keys. Items: "pan:NAME" (a TEST_CARDS entry), "exp:valid" /
 * "exp:expired" (needs `deviceDate`), digits ("7", "12"), or a key name (enter, backspace, clear, cancel).
 */
export function expandKeyScript(items: readonly string[], deviceDate?: string): KeypadKey[] {
  const keys: KeypadKey[] = [];
  const digits = (text: string): void => {
    for (const c of text) keys.push(c as KeypadKey);
  };
  for (const item of items) {
    if (item.startsWith('pan:')) {
      const name = item.slice(4);
      if (!isTestCardName(name)) throw new ScenarioKeysError(item, `unknown test card "${name}" (known: ${Object.keys(TEST_CARDS).join(', ')})`);
      digits(TEST_CARDS[name]);
    } else if (item === 'exp:valid' || item === 'exp:expired') {
      if (deviceDate === undefined) throw new ScenarioKeysError(item, `${item} needs scenario.deviceDate`);
      digits(expiryFor(item === 'exp:valid' ? 'valid' : 'expired', deviceDate));
    } else if (/^\d{1,4}$/.test(item)) {
      digits(item);
    } else if (NAMED_KEYS.has(item)) {
      keys.push(item as KeypadKey);
    } else {
      throw new ScenarioKeysError(item, `"${item}" is not a key script item (pan:NAME, exp:valid|expired, up to 4 digits, enter, backspace, clear, cancel)`);
    }
  }
  return keys;
}
