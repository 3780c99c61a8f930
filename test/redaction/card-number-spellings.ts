/**
 * A Luhn-valid card number (13 to 19 digits) spelled as it might leak: digits in ASCII, 全角 or percent-encoded,
 * split by separators, percent-encoded separators, entities or control characters, inside text with no digits of
 * its own; and the check that tells whether any output still holds it, in whatever spelling.
 */
import luhn10 from 'card-validator/dist/luhn-10.js';
import fc from 'fast-check';

/** A Luhn-valid number of 13 to 19 digits (its check digit found by card-validator, not recomputed here). */
export const arbCardNumber: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 17 }))
  .map(([first, rest]) => {
    const body = `${first}${rest.join('')}`;
    const check = [...'0123456789'].find((d) => luhn10(body + d))!;
    return body + check;
  });

const SEPARATORS = [' ', '-', '/', '.', '_', ':', ',', '+', '|', '\\', '\t', '\n', '\r', '\x1b', '\u3000', '・', 'ー', '−', '%20', '%2F', '%2D', '%2E', '%5F', '%3A', '%0A', '%25', 'z', '"', '\u202e'];
/** What may sit between two digits: nothing, one or two short separators, or an entity. */
const arbGlue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.constantFrom(...SEPARATORS) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SEPARATORS), fc.constantFrom(...SEPARATORS)).map(([a, b]) => a + b) },
  { weight: 1, arbitrary: fc.constantFrom('&nbsp;', ' - ', ' / ', '%20%20') },
);
/** One digit: ASCII, 全角, or percent-encoded. */
const arbDigitSpelling = (digit: string): fc.Arbitrary<string> => fc.oneof(
  { weight: 4, arbitrary: fc.constant(digit) },
  { weight: 1, arbitrary: fc.constant(String.fromCharCode(0xff10 + Number(digit))) },
  { weight: 1, arbitrary: fc.constant(`%3${digit}`) },
);

/** `number` in one of its spellings. */
export function arbSpelling(number: string): fc.Arbitrary<string> {
  const digits = [...number];
  return fc.tuple(fc.tuple(...digits.map(arbDigitSpelling)), fc.array(arbGlue, { minLength: digits.length - 1, maxLength: digits.length - 1 }))
    .map(([spelled, glue]) => spelled.map((d, i) => d + (glue[i] ?? '')).join(''));
}

/** Text around it, holding no digit of any script (and no escape starter that could swallow one when decoded). */
const arbContext = fc.string({ maxLength: 12 }).map((s) => s.replace(/[\p{Nd}%&\\]/gu, ''));

/** A card number and a text that carries it in some spelling. */
export const arbLeakyText: fc.Arbitrary<{ number: string; text: string }> = arbCardNumber.chain((number) =>
  fc.tuple(arbContext, arbSpelling(number), arbContext).map(([before, spelled, after]) => ({ number, text: `${before}${spelled}${after}` })));

/** Percent-encoding, \x/\u escapes, entities and 全角 undone, then every non-digit dropped: the digits a reader could recover. */
export function recoverableDigits(output: string): string {
  return output
    .replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\x([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})/g, (_m, x?: string, u?: string) => String.fromCharCode(parseInt(x ?? u!, 16)))
    .replace(/&nbsp;/g, ' ')
    .normalize('NFKC')
    .replace(/[^0-9]/g, '');
}

/** Does `output` still hold `number`, in any spelling the generator makes? */
export function holdsNumber(output: string, number: string): boolean {
  return recoverableDigits(output).includes(number);
}
