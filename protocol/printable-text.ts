/**
 * Text someone else chose (a device's INFO strings and error detail, a client's field name) made safe to print
 * or log: control, line-breaking and bidi characters shown as escapes (a newline cannot forge a log line, ESC
 * never reaches a terminal), digit runs masked ({@link redactDigits}), length capped.
 */
import { MAX_INFO_STRING_BYTES } from './field-rules.js';
import { redactDigits } from './redact-digits.js';

/**
 * Longest device string shown. An escape is at most four characters per wire byte (`\x1b` for one byte, `\u202e`
 * for three), so a string the wire allows (INFO strings and ERROR detail: at most 64 bytes) is never cut.
 */
export const MAX_DEVICE_TEXT = 4 * MAX_INFO_STRING_BYTES;

// C0, DEL, C1 (CSI 0x9b included), line/paragraph separators, bidi overrides and marks. A backslash stays as it is, so
// printing twice changes nothing (every layer may apply this); nothing it leaves can reach a terminal as a control.
const UNPRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escaped(char: string): string {
  const code = char.codePointAt(0)!;
  return NAMED[char] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** One printable line: redacted, escaped, at most `maxLength` characters (an ellipsis says it was cut). Idempotent. */
export function printableText(text: string, maxLength: number): string {
  // Redact before escaping (escapes lengthen the glue between digits) and after (their hex may join digits).
  const line = redactDigits(redactDigits(text).replace(UNPRINTABLE, escaped));
  const chars = [...line];
  return chars.length <= maxLength ? line : `${chars.slice(0, Math.max(0, maxLength - 1)).join('')}…`;
}

/** A device-provided string (INFO's model, firmware, serial; ERROR's detail) as it may be printed or logged. */
export function deviceText(text: string): string {
  return printableText(text, MAX_DEVICE_TEXT);
}
