/**
 * THE redaction for every text that leaves a tenkey process: log lines, error messages and details, HTTP bodies,
 * CLI output. Any run of {@link MIN_REDACTED_DIGITS} or more digits is masked, whatever sits between them: spaces,
 * `-` `/` `.` `_` `:`, percent-encoding (`%20`, `%2F`: its hex digits only lengthen the run), HTML entities
 * (`&nbsp;`), letters, or these mixed — up to {@link MAX_DIGIT_GLUE} non-digit characters between two digits. Digits of every
 * script count (全角 ４１１１ too). A card number is 13 to 19 digits, so none survives in any such spelling;
 * the last digits a host may show are at most four, and counts, ids and ports are shorter than twelve.
 */
export const MIN_REDACTED_DIGITS = 12;
/** Most non-digit characters between two digits of one run: `&nbsp;` then a percent-encoded digit (`%34`) is seven. */
export const MAX_DIGIT_GLUE = 8;
/** What a masked run becomes: holds no digit, so masking twice changes nothing. */
export const REDACTED = '[redacted]';

// Digit and glue classes are disjoint, so there is one way to read a run: no backtracking blow-up on long input.
const DIGIT_RUN = new RegExp(`\\p{Nd}(?:\\P{Nd}{0,${MAX_DIGIT_GLUE}}\\p{Nd}){${MIN_REDACTED_DIGITS - 1},}`, 'gu');

/** `text` with every run of twelve or more digits (any separators between them) replaced by `[redacted]`. */
export function redactDigits(text: string): string {
  return text.replace(DIGIT_RUN, REDACTED);
}
