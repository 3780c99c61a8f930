/**
 * Misuse of the test keypad kit: one error class with a stable `code`, as everywhere in tenkey. A bad key script
 * is a KeyScriptError, a bad fault spec a FaultSpecError and an unknown card service an UnknownServiceError,
 * from the simulator's own parsers. Messages never repeat a card number.
 */
import { CodedError } from '../protocol/coded-error.js';

export const TestKeypadErrorCode = {
  /** `card` names no test card (TEST_CARDS or AUTHORIZATION_TEST_CARDS). */
  UNKNOWN_CARD: 'UNKNOWN_CARD',
  /** `number` is not 12–19 digits. */
  BAD_CARD_NUMBER: 'BAD_CARD_NUMBER',
  /** `expiry` is not 'valid', 'expired' or MMYY with a month 01–12. */
  BAD_EXPIRY: 'BAD_EXPIRY',
  /** An entry that is none of the shapes TestEntry allows, or a bad `keyDelayMs`. */
  BAD_ENTRY: 'BAD_ENTRY',
  /** An option of createTestKeypad of the wrong type or value. */
  BAD_OPTION: 'BAD_OPTION',
  /** advance() on a kit that runs on real time. */
  REAL_TIME: 'REAL_TIME',
  /** run(), unplug() or replug() waited longer than its limit for what it waits for. */
  STILL_PENDING: 'STILL_PENDING',
  /** The kit was used after close(). */
  CLOSED: 'CLOSED',
} as const;
export type TestKeypadErrorCodeName = keyof typeof TestKeypadErrorCode;

export class TestKeypadError extends CodedError<TestKeypadErrorCodeName> {}
