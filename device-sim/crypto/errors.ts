/**
 * One factory for every card-crypto error, each with a stable `code` (tests assert codes, not messages).
 * Messages and details never carry key material or card digits.
 */
import { CodedError, type ErrorDetails } from '../../protocol/coded-error.js';

export const CryptoErrorCode = {
  /** The DUKPT transaction counter is used up (X9.24-3: cease operation). Wire: ERROR KEY_EXHAUSTED. */
  KEY_EXHAUSTED: 'KEY_EXHAUSTED',
  /** A transaction counter outside 1..0xFFFF0000 or with more than 16 one-bits. */
  INVALID_COUNTER: 'INVALID_COUNTER',
  /** A key of the wrong length (AES-128 only), or a key buffer already wiped. */
  INVALID_KEY: 'INVALID_KEY',
  /** An initial key ID that is not 8 bytes. */
  INVALID_KEY_ID: 'INVALID_KEY_ID',
  /** A KSN that is not 12 bytes or whose counter is not one a device would use. */
  INVALID_KSN: 'INVALID_KSN',
  /** A key usage not in X9.24-3 table 2. */
  INVALID_KEY_USAGE: 'INVALID_KEY_USAGE',
  /** Card entry given to the encryptor is not 12–19 digit values (0–9). */
  INVALID_PAN: 'INVALID_PAN',
  /** Expiry given to the encryptor is not 4 digit values MMYY with month 01–12. */
  INVALID_EXPIRY: 'INVALID_EXPIRY',
  /** Encrypted block is not IV (16) + 32 bytes of ciphertext. */
  BAD_BLOCK_LENGTH: 'BAD_BLOCK_LENGTH',
  /** Decrypted block's format byte is not 0x01 (wrong key, wrong KSN, or a corrupted block). */
  BAD_BLOCK_FORMAT: 'BAD_BLOCK_FORMAT',
  /** Decrypted block's PAN length is outside 12–19. */
  BAD_PAN_LENGTH: 'BAD_PAN_LENGTH',
  /** Decrypted PAN nibbles are not digits followed by 0xF padding. */
  BAD_PAN_BCD: 'BAD_PAN_BCD',
  /** Decrypted expiry is neither 0xFFFF nor BCD MMYY with month 01–12. */
  BAD_EXPIRY_BCD: 'BAD_EXPIRY_BCD',
} as const;
export type CryptoErrorCodeName = keyof typeof CryptoErrorCode;

export class CryptoError extends CodedError<CryptoErrorCodeName> {
  constructor(
    code: CryptoErrorCodeName,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(code, message);
  }
}

export function cryptoError(
  code: CryptoErrorCodeName,
  message: string,
  details?: ErrorDetails,
): CryptoError {
  return new CryptoError(code, message, details);
}

export function isCryptoError(e: unknown): e is CryptoError {
  return e instanceof CryptoError;
}
