/**
 * Last line of defence for text leaving the driver (logs, device error details): any run of five or
 * more digits, possibly split by spaces or dashes, is masked. Revealed last digits are at most four,
 * so nothing the host may legitimately show is touched.
 */
const LONG_DIGIT_RUN = /\d(?:[ -]?\d){4,}/g;

export function redactDigits(text: string): string {
  return text.replace(LONG_DIGIT_RUN, '[redacted]');
}
