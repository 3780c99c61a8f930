/**
 * Bad input on the keypad, as the store sees it: the real driver reads from the real virtual keypad over TCP, the
 * keypad types a key script (test cards by name), and the row checks the progress events and how readCard ends.
 */
import { SimulatedClock } from 'xstate';
import { expect } from 'vitest';
import { TenkeyCancelledError, TenkeyError, type EntryProgress, type TenkeyKeypad } from '../../host-driver/index.js';
import type { BadInputRow } from './bad-input-row.js';
import { withCleanup } from './check-scope.js';
import { driverOnSimulator, entryOpen, keysOf } from './driver-on-simulator.js';

/** A card and a valid expiry: what ends a row's entry once the bad input is behind it. */
const VISA_AND_EXPIRY = ['pan:visa', 'enter', 'exp:valid', 'enter'];

/** What readCard rejected with (or the card, which then fails the row's error assertions). */
const outcomeOf = (keypad: TenkeyKeypad): Promise<unknown> => keypad.readCard().catch((error: unknown) => error);

/** The progress events a key of this class caused. */
const after = (progress: EntryProgress[], key: EntryProgress['key']): EntryProgress[] => progress.filter((p) => p.key === key);

export const keypadRows: BadInputRow[] = [
  {
    area: 'keypad',
    input: 'a card number failing its check digit (Luhn), three times',
    answer: 'notice `INVALID_PAN` and the field cleared on the first two tries, the entry goes on; the third ends it: `CARD_SERVICE` / `INVALID_CARD`',
    check: () => withCleanup(async (defer) => {
      const { keypad, progress } = await driverOnSimulator(defer, { keys: keysOf('pan:luhn-fail', 'enter', 'pan:luhn-fail', 'enter', 'pan:luhn-fail', 'enter') });
      const error = await outcomeOf(keypad);
      expect(error).toBeInstanceOf(TenkeyError);
      expect(error).toMatchObject({ code: 'CARD_SERVICE', reason: 'INVALID_CARD' });
      expect(after(progress, 'ENTER').filter((p) => p.notice === 'INVALID_PAN')).toEqual([
        expect.objectContaining({ state: 'PAN', digits: 0 }), expect.objectContaining({ state: 'PAN', digits: 0 }),
      ]);
    }),
  },
  {
    area: 'keypad',
    input: 'too few digits: enter after 4 digits',
    answer: 'notice `PAN_TOO_SHORT`; the digits stay and it does not count as a try (two Luhn failures after it still leave a third try)',
    check: () => withCleanup(async (defer) => {
      const keys = keysOf('4111', 'enter', 'clear', 'pan:luhn-fail', 'enter', 'pan:luhn-fail', 'enter', ...VISA_AND_EXPIRY);
      const { keypad, progress } = await driverOnSimulator(defer, { keys });
      expect(await keypad.readCard()).toMatchObject({ brand: 'visa' });
      expect(after(progress, 'ENTER')[0]).toMatchObject({ state: 'PAN', digits: 4, notice: 'PAN_TOO_SHORT' });
    }),
  },
  {
    area: 'keypad',
    input: 'too many digits: a 20th digit',
    answer: 'ignored with notice `PAN_TOO_LONG`: the field keeps 19 digits',
    check: () => withCleanup(async (defer) => {
      const { keypad, progress } = await driverOnSimulator(defer, { keys: keysOf('pan:visa', '0000', 'clear', ...VISA_AND_EXPIRY) });
      expect(await keypad.readCard()).toMatchObject({ brand: 'visa' });
      expect(Math.max(...progress.map((p) => p.digits))).toBe(19);
      expect(after(progress, 'DIGIT').filter((p) => p.notice === 'PAN_TOO_LONG')).toEqual([expect.objectContaining({ digits: 19 })]);
    }),
  },
  {
    area: 'keypad',
    input: 'enter on an empty field',
    answer: 'card number: notice `PAN_TOO_SHORT`; expiry: notice `INVALID_EXPIRY`; the entry goes on',
    check: () => withCleanup(async (defer) => {
      const { keypad, progress } = await driverOnSimulator(defer, { keys: keysOf('enter', 'pan:visa', 'enter', 'enter', 'exp:valid', 'enter') });
      expect(await keypad.readCard()).toMatchObject({ brand: 'visa' });
      expect(after(progress, 'ENTER').filter((p) => p.notice !== 'NONE').map((p) => [p.state, p.digits, p.notice])).toEqual([
        ['PAN', 0, 'PAN_TOO_SHORT'], ['EXPIRY', 0, 'INVALID_EXPIRY'],
      ]);
    }),
  },
  {
    area: 'keypad',
    input: 'an expiry with month 13',
    answer: 'notice `INVALID_EXPIRY`, the expiry cleared; the entry goes on',
    check: () => withCleanup(async (defer) => {
      const { keypad, progress } = await driverOnSimulator(defer, { keys: keysOf('pan:visa', 'enter', '1330', 'enter', 'exp:valid', 'enter') });
      expect(await keypad.readCard()).toMatchObject({ brand: 'visa' });
      expect(after(progress, 'ENTER').filter((p) => p.notice !== 'NONE')).toEqual([
        expect.objectContaining({ state: 'EXPIRY', digits: 0, notice: 'INVALID_EXPIRY' }),
      ]);
    }),
  },
  {
    area: 'keypad',
    input: 'an expiry in the past',
    answer: 'the entry ends: `CARD_SERVICE` / `EXPIRED_CARD`',
    check: () => withCleanup(async (defer) => {
      const { keypad } = await driverOnSimulator(defer, { keys: keysOf('pan:visa', 'enter', 'exp:expired', 'enter') });
      const error = await outcomeOf(keypad);
      expect(error).toBeInstanceOf(TenkeyError);
      expect(error).toMatchObject({ code: 'CARD_SERVICE', reason: 'EXPIRED_CARD' });
    }),
  },
  {
    area: 'keypad',
    input: 'a brand the store\'s card service does not take (JCB with service `visa-master`)',
    answer: 'refused as soon as the number is entered, before the expiry: `CARD_SERVICE` / `UNSUPPORTED_BRAND`',
    check: () => withCleanup(async (defer) => {
      const { keypad, progress } = await driverOnSimulator(defer, { keys: keysOf('pan:jcb', 'enter', 'exp:valid', 'enter'), service: 'visa-master' });
      const error = await outcomeOf(keypad);
      expect(error).toBeInstanceOf(TenkeyError);
      expect(error).toMatchObject({ code: 'CARD_SERVICE', reason: 'UNSUPPORTED_BRAND' });
      expect(progress.map((p) => p.state)).not.toContain('EXPIRY');
    }),
  },
  {
    area: 'keypad',
    input: 'keys pressed while no entry runs',
    answer: 'ignored: nothing is sent, and the next entry starts empty',
    check: () => withCleanup(async (defer) => {
      const { sim, keypad, progress } = await driverOnSimulator(defer);
      for (const key of ['4', '1', 'enter', 'clear'] as const) expect(sim.keypad.press(key)).toBe(false);
      expect(progress).toEqual([]);
      const reading = keypad.readCard();
      await entryOpen(progress);
      expect(progress.at(-1)?.digits).toBe(0);
      await sim.keypad.type(keysOf(...VISA_AND_EXPIRY));
      expect(await reading).toMatchObject({ brand: 'visa' });
    }),
  },
  {
    area: 'keypad',
    input: 'backspace and clear on an empty field',
    answer: 'nothing to undo: reported as keys with 0 digits and the entry goes on (backspace in an empty expiry stays in the expiry)',
    check: () => withCleanup(async (defer) => {
      const keys = keysOf('backspace', 'clear', 'pan:visa', 'enter', 'backspace', 'exp:valid', 'enter');
      const { keypad, progress } = await driverOnSimulator(defer, { keys });
      expect(await keypad.readCard()).toMatchObject({ brand: 'visa' });
      const edits = progress.filter((p) => p.key === 'BACKSPACE' || p.key === 'CLEAR').map((p) => [p.key, p.state, p.digits]);
      expect(edits).toEqual([['BACKSPACE', 'PAN', 0], ['CLEAR', 'PAN', 0], ['BACKSPACE', 'EXPIRY', 0]]);
    }),
  },
  {
    area: 'keypad',
    input: 'the cancel key',
    answer: 'not an error: readCard rejects `TenkeyCancelledError` (code `CANCELLED`, by `keypad`)',
    check: () => withCleanup(async (defer) => {
      const { keypad } = await driverOnSimulator(defer, { keys: keysOf('41', 'cancel') });
      const outcome = await outcomeOf(keypad);
      expect(outcome).toBeInstanceOf(TenkeyCancelledError);
      expect(outcome).not.toBeInstanceOf(TenkeyError);
      expect(outcome).toMatchObject({ code: 'CANCELLED', by: 'keypad' });
    }),
  },
  {
    area: 'keypad',
    input: 'nothing typed for the inactivity timeout (60 s, on virtual time)',
    answer: 'the keypad ends the entry at 60 s, not before: `ENTRY_TIMEOUT` / `TIMEOUT`',
    check: () => withCleanup(async (defer) => {
      const clock = new SimulatedClock();
      const { sim, keypad, progress } = await driverOnSimulator(defer, { clock });
      const reading = outcomeOf(keypad);
      await entryOpen(progress);
      clock.increment(59_999);
      expect(sim.keypad.activeSessionId).toBeDefined();
      clock.increment(1);
      const error = await reading;
      expect(error).toBeInstanceOf(TenkeyError);
      expect(error).toMatchObject({ code: 'ENTRY_TIMEOUT', reason: 'TIMEOUT' });
    }),
  },
];
