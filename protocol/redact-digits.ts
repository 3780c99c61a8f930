/**
 * THE redaction for every text that leaves a tenkey process: log lines, error messages and details, HTTP bodies,
 * CLI output. Any run of {@link MIN_REDACTED_DIGITS} or more digits is masked, whatever sits between them: spaces,
 * `-` `/` `.` `_` `:`, percent-encoding (`%20`, `%2F`: its hex digits only lengthen the run), HTML entities
 * (`&nbsp;`), letters, or these mixed — up to {@link MAX_DIGIT_GLUE} non-digit characters between two digits. Digits of every
 * script count (全角 ４１１１ too). A card number is 13 to 19 digits, so none survives in any such spelling;
 * the last digits a host may show are at most four, and counts, ids and ports are shorter than twelve.
 *
 * One shape is kept: an IPv4 address in dotted-quad form (octets 0–255, no leading zeros), with or without a
 * `:port`. The keypad and the bridge are set by IP and port (the settings screen's プライベートIP / ポート番号), and
 * `192.168.0.50:7780` is 13 digits: masking it would hide the very setting an error is about. A card number would
 * have to be typed as exactly such an address to pass.
 */
export const MIN_REDACTED_DIGITS = 12;
/** Most non-digit characters between two digits of one run: `&nbsp;` then a percent-encoded digit (`%34`) is seven. */
export const MAX_DIGIT_GLUE = 8;
/** What a masked run becomes: holds no digit, so masking twice changes nothing. */
export const REDACTED = '[redacted]';

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4_AND_PORT = `(?<![\\p{Nd}.])(?:${OCTET}\\.){3}${OCTET}(?::[0-9]{1,5})?(?![\\p{Nd}.:])`;
// Digit and glue classes are disjoint, so there is one way to read a run: no backtracking blow-up on long input.
const DIGIT_RUN = `\\p{Nd}(?:\\P{Nd}{0,${MAX_DIGIT_GLUE}}\\p{Nd}){${MIN_REDACTED_DIGITS - 1},}`;
// An address is tried first at each position, and kept; any other run of twelve digits is masked.
const ADDRESS_OR_RUN = new RegExp(`(${IPV4_AND_PORT})|${DIGIT_RUN}`, 'gu');

/** `text` with every run of twelve or more digits (any separators between them) replaced by `[redacted]`. */
export function redactDigits(text: string): string {
  return text.replace(ADDRESS_OR_RUN, (run, address?: string) => address ?? REDACTED);
}
