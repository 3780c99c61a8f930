/** Kept for imports that predate protocol/redact-digits.ts, the one redaction (host-driver/keypad-connection.ts). */
export { redactDigits } from '../protocol/redact-digits.js';
