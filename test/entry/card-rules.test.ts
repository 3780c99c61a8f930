import { describe, expect, it } from 'vitest';
import {
  checkExpiry, entryInputProblem, isBrandAccepted, isKeypadKey, isLuhnValid, lastDigits, resolveEntryInput, toKeyClass,
  KEYPAD_KEYS,
} from '../../device-sim/entry/index.js';

const toDigits = (s: string) => Uint8Array.from(s, (ch) => Number(ch));
const TODAY = { year: 2026, month: 11 };

describe('isLuhnValid', () => {
  // Titled by description, never by the number: test titles are printed in every test report.
  // (The number is the last column: printf placeholders take columns in order.)
  it.each([
    ['a 16-digit Visa test number', true, '4242424242424242'],
    ['the same number with its check digit off by one', false, '4242424242424241'],
    ['a 15-digit American Express test number', true, '378282246310005'],
    ['a 19-digit number', true, '4242424242424242006'],
  ])('%s → %s', (_case, valid, pan) => {
      expect(isLuhnValid(toDigits(pan), pan.length)).toBe(valid);
    });

  it('reads only the first `count` digits of the buffer', () => {
    const buffer = new Uint8Array(19);
    buffer.set(toDigits('4242424242424242'));
    buffer[16] = 7;
    expect(isLuhnValid(buffer, 16)).toBe(true);
    expect(isLuhnValid(buffer, 17)).toBe(false);
  });
});

describe('checkExpiry', () => {
  it.each([
    ['1230', 'valid'], ['1126', 'valid'], ['1026', 'expired'], ['0199', 'valid'], ['1225', 'expired'],
    ['0026', 'invalid'], ['1326', 'invalid'], ['12', 'invalid'],
  ])('%s against 2026-11 is %s', (mmyy, result) => {
    expect(checkExpiry(toDigits(mmyy.padEnd(4, '0')), mmyy.length, TODAY)).toBe(result);
  });
});

describe('lastDigits', () => {
  it('gives at most `reveal` trailing digits of the counted ones', () => {
    const buffer = new Uint8Array(19);
    buffer.set(toDigits('4242424242421234'));
    expect(lastDigits(buffer, 16, 4)).toBe('1234');
    expect(lastDigits(buffer, 16, 0)).toBe('');
    expect(lastDigits(buffer, 2, 4)).toBe('42');
  });
});

describe('isBrandAccepted', () => {
  it('takes everything from an empty set and only the listed brands otherwise', () => {
    expect(isBrandAccepted('unknown', [])).toBe(true);
    expect(isBrandAccepted('jcb', ['visa'])).toBe(false);
    expect(isBrandAccepted('jcb', ['visa', 'jcb'])).toBe(true);
  });
});

describe('resolveEntryInput', () => {
  it('fills the protocol defaults', () => {
    expect(resolveEntryInput({ sessionId: 1, expiryRequired: true, today: TODAY })).toEqual({
      sessionId: 1, inactivityTimeoutS: 60, reveal: 3, expiryRequired: true, acceptedBrands: [], sessionCapS: 300, today: TODAY,
    });
  });

  it('turns a 0 timeout into 60 s and clamps reveal to 0–4', () => {
    const base = { sessionId: 1, expiryRequired: false, today: TODAY };
    expect(resolveEntryInput({ ...base, inactivityTimeoutS: 0 }).inactivityTimeoutS).toBe(60);
    expect(resolveEntryInput({ ...base, reveal: 7 }).reveal).toBe(4);
    expect(resolveEntryInput({ ...base, reveal: -1 }).reveal).toBe(0);
    expect(resolveEntryInput({ ...base, reveal: Number.NaN }).reveal).toBe(3);
  });
});

describe('entryInputProblem', () => {
  const base = { sessionId: 1, expiryRequired: false, today: TODAY };
  it('accepts a well-formed input and names what is wrong with a bad one', () => {
    expect(entryInputProblem(base)).toBeNull();
    expect(entryInputProblem({ ...base, reveal: 5 })).toMatch(/reveal/);
    expect(entryInputProblem({ ...base, sessionId: -1 })).toMatch(/sessionId/);
    expect(entryInputProblem({ ...base, inactivityTimeoutS: 1.5 })).toMatch(/inactivity/);
    expect(entryInputProblem({ ...base, today: { year: 2026, month: 13 } })).toMatch(/calendar/);
  });
});

describe('keys', () => {
  it('knows the fourteen keys and classes them for KEY frames', () => {
    expect(KEYPAD_KEYS).toHaveLength(14);
    expect(isKeypadKey('7')).toBe(true);
    expect(isKeypadKey('77')).toBe(false);
    expect(isKeypadKey('*')).toBe(false);
    expect(KEYPAD_KEYS.map(toKeyClass)).toEqual([...Array(10).fill('DIGIT'), 'BACKSPACE', 'CLEAR', 'ENTER', 'CANCEL']);
  });
});
