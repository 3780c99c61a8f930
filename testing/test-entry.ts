/**
 * What the person at the test keypad does in one entry, as a store backend's test says it: a test card by name, a
 * card number and expiry, a key script, nobody typing (the keypad's inactivity timeout ends it) or the cancel key.
 * Checked when queued, so a typo fails the test at the line that made it, with a typed error that never repeats
 * a card number.
 */
import type { KeypadKey } from '../device-sim/entry/keys.js';
import { parseKeyScript, type KeyScriptStep } from '../device-sim/key-script.js';
import {
  AUTHORIZATION_TEST_CARDS, expiryFor, TEST_CARDS, type AuthorizationTestCardName, type TestCardName,
} from '../device-sim/test-cards.js';
import { TestKeypadError } from './errors.js';

/** 'valid' (two years after the keypad's date), 'expired' (a year before it) or MMYY. */
export type TestExpiry = 'valid' | 'expired' | (string & {});

/** Pauses between two keys, on the kit's clock (a person types about 5 keys a second: 200). Default 0. */
export interface TestEntryPacing {
  keyDelayMs?: number;
}

/**
 * A test card by name: a brand's public test number (TEST_CARDS: 'visa', 'jcb', …, 'luhn-fail') or one the
 * payment stand-ins' 与信 answers in its own way (AUTHORIZATION_TEST_CARDS: 'declined', 'insufficient-funds',
 * 'expired-card', 'unavailable'). Typed with its expiry (default 'valid') when the keypad asks for one.
 */
export interface TestCardEntry extends TestEntryPacing {
  card: TestCardName | AuthorizationTestCardName;
  expiry?: TestExpiry;
}

/** A card number (12–19 digits; use test numbers only) and its expiry (default 'valid'). */
export interface TestNumberEntry extends TestEntryPacing {
  number: string;
  expiry?: TestExpiry;
}

/** A key script (device-sim/key-script.ts: digits, <enter>, <bs>, <clear>, <cancel>, <wait:MS>) typed at the card-number prompt. */
export interface TestKeysEntry {
  keys: string;
}

/**
 * One entry's plan. 'timeout': nobody types, so the keypad's inactivity timeout ends the entry (ENTRY_TIMEOUT);
 * 'cancel': the person presses the keypad's cancel key (readCard rejects with TenkeyCancelledError).
 */
export type TestEntry = TestCardEntry | TestNumberEntry | TestKeysEntry | 'timeout' | 'cancel';

/** The keys of one entry: at the card-number prompt, and at the expiry prompt if the keypad asks. */
export interface EntryTyping {
  pan: readonly KeyScriptStep[];
  expiry: readonly KeyScriptStep[];
}

const MAX_KEY_DELAY_MS = 2 ** 31 - 1;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The keys `entry` types with the keypad's calendar at `deviceDate`; throws TestKeypadError or KeyScriptError. */
export function entryTypingOf(entry: TestEntry, deviceDate: Date): EntryTyping {
  if (entry === 'timeout') return { pan: [], expiry: [] };
  if (entry === 'cancel') return { pan: [{ kind: 'key', key: 'cancel' }], expiry: [] };
  if (!isObject(entry)) throw new TestKeypadError('BAD_ENTRY', `an entry is 'timeout', 'cancel', { card }, { number } or { keys }, got ${describe(entry)}`);
  const shapes = ['card', 'number', 'keys'].filter((key) => entry[key] !== undefined);
  if (shapes.length !== 1) throw new TestKeypadError('BAD_ENTRY', `an entry has exactly one of card, number and keys (got ${shapes.join(', ') || 'none'})`);
  if ('keys' in entry && entry.keys !== undefined) {
    if (typeof entry.keys !== 'string') throw new TestKeypadError('BAD_ENTRY', 'keys must be a key script string');
    return { pan: parseKeyScript(entry.keys), expiry: [] };
  }
  const typed = entry as unknown as Partial<TestCardEntry & TestNumberEntry>;
  const pan = typed.card !== undefined ? numberOfCard(typed.card) : checkedNumber(typed.number);
  const delay = keyDelayOf(typed.keyDelayMs);
  return { pan: keysOf(pan, delay), expiry: keysOf(expiryDigits(typed.expiry ?? 'valid', deviceDate), delay) };
}

function numberOfCard(name: unknown): string {
  if (typeof name === 'string' && Object.hasOwn(TEST_CARDS, name)) return TEST_CARDS[name as TestCardName];
  if (typeof name === 'string' && Object.hasOwn(AUTHORIZATION_TEST_CARDS, name)) return AUTHORIZATION_TEST_CARDS[name as AuthorizationTestCardName];
  const known = [...Object.keys(TEST_CARDS), ...Object.keys(AUTHORIZATION_TEST_CARDS)].join(', ');
  throw new TestKeypadError('UNKNOWN_CARD', `unknown test card ${describe(name)} (known: ${known})`);
}

function checkedNumber(number: unknown): string {
  // The message says what is wrong, never what was given: it may be a card number.
  if (typeof number !== 'string' || !/^[0-9]{12,19}$/.test(number)) {
    throw new TestKeypadError('BAD_CARD_NUMBER', 'number must be a string of 12–19 digits (a test card number)');
  }
  return number;
}

function expiryDigits(expiry: unknown, deviceDate: Date): string {
  if (expiry === 'valid' || expiry === 'expired') return expiryFor(expiry, deviceDate.toISOString().slice(0, 10));
  if (typeof expiry === 'string' && /^(0[1-9]|1[0-2])[0-9]{2}$/.test(expiry)) return expiry;
  throw new TestKeypadError('BAD_EXPIRY', `expiry must be 'valid', 'expired' or MMYY (month 01–12), got ${describe(expiry)}`);
}

function keyDelayOf(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_KEY_DELAY_MS) {
    throw new TestKeypadError('BAD_ENTRY', `keyDelayMs must be a whole number of ms from 0 to ${MAX_KEY_DELAY_MS}`);
  }
  return value;
}

/** The digits, then enter, with `delayMs` before every key but the first. */
function keysOf(digits: string, delayMs: number): KeyScriptStep[] {
  const steps: KeyScriptStep[] = [];
  for (const key of [...digits, 'enter'] as KeypadKey[]) {
    if (delayMs > 0 && steps.length > 0) steps.push({ kind: 'wait', ms: delayMs });
    steps.push({ kind: 'key', key });
  }
  return steps;
}

/** A short description of a value for a message (strings of digits are not shown: they may be card numbers). */
function describe(value: unknown): string {
  if (typeof value === 'string') return /[0-9]{4}/.test(value) ? 'a string of digits' : JSON.stringify(value.slice(0, 40));
  return value === null ? 'null' : typeof value;
}
