/**
 * The receiving side of PROTOCOL.md §7, for tests and the test token service only: whoever holds the BDK can
 * read the card. The host driver never imports this (test/host-driver/import-graph.test.ts checks).
 *
 * The block carries no MAC: a changed IV or first ciphertext block shows up as an error or a different card;
 * a change confined to the random fill goes unnoticed (see test/crypto/card-block.test.ts).
 */
import { createDecipheriv } from 'node:crypto';
import { PAN_MAX_DIGITS, PAN_MIN_DIGITS } from '../../protocol/constants.js';
import { CARD_DATA_KEY_USAGE, hostDeriveWorkingKey } from './aes-dukpt.js';
import {
  CARD_BLOCK_FORMAT, CARD_BLOCK_IV_SIZE, ENCRYPTED_CARD_BLOCK_SIZE, EXPIRY_OFFSET, FORMAT_OFFSET, PAD_NIBBLE,
  PAN_BCD_OFFSET, PAN_BCD_SIZE, PAN_LENGTH_OFFSET,
} from './card-block-layout.js';
import { cryptoError } from './errors.js';

export interface DecryptedCard {
  pan: string;
  /** MMYY, or null when the entry had no expiry. */
  expiry: string | null;
}

function nibble(bytes: Uint8Array, index: number, offset: number): number {
  const byte = bytes[offset + (index >> 1)]!;
  return index % 2 === 0 ? byte >> 4 : byte & 0x0f;
}

function readPan(plaintext: Buffer): string {
  const length = plaintext[PAN_LENGTH_OFFSET]!;
  if (length < PAN_MIN_DIGITS || length > PAN_MAX_DIGITS) {
    throw cryptoError('BAD_PAN_LENGTH', `PAN length must be ${PAN_MIN_DIGITS}–${PAN_MAX_DIGITS}`, { length });
  }
  let pan = '';
  for (let i = 0; i < PAN_BCD_SIZE * 2; i++) {
    const value = nibble(plaintext, i, PAN_BCD_OFFSET);
    if (i < length ? value > 9 : value !== PAD_NIBBLE) {
      throw cryptoError('BAD_PAN_BCD', 'PAN is not BCD digits followed by 0xF padding', { nibble: i });
    }
    if (i < length) pan += String(value);
  }
  return pan;
}

function readExpiry(plaintext: Buffer): string | null {
  const high = plaintext[EXPIRY_OFFSET]!;
  const low = plaintext[EXPIRY_OFFSET + 1]!;
  if (high === 0xff && low === 0xff) return null;
  const digits = [high >> 4, high & 0x0f, low >> 4, low & 0x0f];
  const month = digits[0]! * 10 + digits[1]!;
  if (digits.some((d) => d > 9) || month < 1 || month > 12) {
    throw cryptoError('BAD_EXPIRY_BCD', 'expiry is neither 0xFFFF nor BCD MMYY with month 01–12');
  }
  return digits.join('');
}

/**
 * Decrypts one card block: BDK + KSN → the transaction's data key (X9.24-3 host derivation) → AES-128-CBC.
 * Throws CryptoError: INVALID_KEY, INVALID_KSN, BAD_BLOCK_LENGTH, BAD_BLOCK_FORMAT (usually a wrong key or
 * KSN), BAD_PAN_LENGTH, BAD_PAN_BCD, BAD_EXPIRY_BCD.
 */
export function decryptCardBlock(bdk: Uint8Array, ksn: Uint8Array, encryptedBlock: Uint8Array): DecryptedCard {
  if (encryptedBlock.length !== ENCRYPTED_CARD_BLOCK_SIZE) {
    throw cryptoError('BAD_BLOCK_LENGTH', `encrypted block must be ${ENCRYPTED_CARD_BLOCK_SIZE} bytes`, {
      length: encryptedBlock.length,
    });
  }
  const dataKey = hostDeriveWorkingKey(bdk, ksn, CARD_DATA_KEY_USAGE);
  let plaintext: Buffer | undefined;
  try {
    const iv = encryptedBlock.subarray(0, CARD_BLOCK_IV_SIZE);
    const decipher = createDecipheriv('aes-128-cbc', dataKey, iv).setAutoPadding(false);
    plaintext = decipher.update(encryptedBlock.subarray(CARD_BLOCK_IV_SIZE));
    decipher.final(); // no padding and whole blocks: nothing is held back
    if (plaintext[FORMAT_OFFSET] !== CARD_BLOCK_FORMAT) {
      throw cryptoError('BAD_BLOCK_FORMAT', 'unknown card block format (wrong key or KSN, or a corrupted block)');
    }
    return { pan: readPan(plaintext), expiry: readExpiry(plaintext) };
  } finally {
    dataKey.fill(0);
    plaintext?.fill(0);
  }
}
