/** One error type for the payment stand-ins, each failure with a stable `code`; never card digits in a message. */
import { CodedError } from '../protocol/coded-error.js';

export const PaymentSimErrorCode = {
  /** A field of the wrong type or shape (not hex, amount not a positive integer…); the message names the field. */
  BAD_INPUT: 'BAD_INPUT',
  /** The key set named is not the one this service holds the BDK of. */
  UNKNOWN_KEY_SET: 'UNKNOWN_KEY_SET',
  /** The encrypted block does not decrypt to a card under this BDK and KSN (wrong key, corrupted block). */
  UNREADABLE_CARD: 'UNREADABLE_CARD',
  /** No such card token: never issued, already used by an authorization, or expired. */
  UNKNOWN_TOKEN: 'UNKNOWN_TOKEN',
  /**
   * The KSN's transaction counter is not above the highest already accepted from that keypad (PROTOCOL.md §7.1):
   * the same block sent again (a resubmitted form, a copied request) or a keypad whose counter went back.
   */
  REPLAYED_KSN: 'REPLAYED_KSN',
} as const;
export type PaymentSimErrorCodeName = keyof typeof PaymentSimErrorCode;

export class PaymentSimError extends CodedError<PaymentSimErrorCodeName> {}
