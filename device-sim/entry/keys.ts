/**
 * The keypad's fourteen keys, and how a key is named on the wire (KEY frames carry the class, never the digit).
 */
import type { KeyClassName } from '../../protocol/messages.js';

export const DIGIT_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
export type DigitKey = (typeof DIGIT_KEYS)[number];
export const KEYPAD_KEYS = [...DIGIT_KEYS, 'backspace', 'clear', 'enter', 'cancel'] as const;
export type KeypadKey = (typeof KEYPAD_KEYS)[number];

const KEYPAD_KEY_SET: ReadonlySet<string> = new Set(KEYPAD_KEYS);

export function isKeypadKey(value: unknown): value is KeypadKey {
  return typeof value === 'string' && KEYPAD_KEY_SET.has(value);
}

export function isDigitKey(key: KeypadKey): key is DigitKey {
  return key.length === 1;
}

/** Digit value 0–9 of a digit key. */
export function digitValue(key: DigitKey): number {
  return key.charCodeAt(0) - 0x30;
}

export function toKeyClass(key: KeypadKey): KeyClassName {
  switch (key) {
    case 'backspace': return 'BACKSPACE';
    case 'clear': return 'CLEAR';
    case 'enter': return 'ENTER';
    case 'cancel': return 'CANCEL';
    default: return 'DIGIT';
  }
}
