/**
 * Device side of PROTOCOL.md §7: the entered card becomes one encrypted block at once.
 * Card digits stay in byte arrays (a JS string can't be wiped), and every plaintext buffer made here is
 * zeroed in a `finally`, whatever happens. (OpenSSL's internal copy during the one CBC call is outside our reach.)
 */
import { createCipheriv, randomBytes as cryptoRandomBytes } from 'node:crypto';
import { PAN_MAX_DIGITS, PAN_MIN_DIGITS } from '../../protocol/constants.js';
import { type DukptDevice } from './aes-dukpt.js';
import {
  CARD_BLOCK_FORMAT, CARD_BLOCK_IV_SIZE, CARD_BLOCK_PLAINTEXT_SIZE, EXPIRY_DIGITS, EXPIRY_OFFSET, FILL_OFFSET,
  FILL_SIZE, FORMAT_OFFSET, PAN_BCD_OFFSET, PAN_BCD_SIZE, PAN_LENGTH_OFFSET,
} from './card-block-layout.js';
import { cryptoError } from './errors.js';

export interface CardEntry {
  /** Digit values 0–9 (not ASCII), 12–19 of them. Owned by the caller, who wipes it. */
  panDigits: Uint8Array;
  /** Four digit values MMYY; absent or empty when the expiry was not asked for. */
  expiry?: Uint8Array;
}

/** Source of random bytes (IV and fill); injectable so tests can watch the buffers it hands out. */
export type RandomBytes = (size: number) => Uint8Array;

const defaultRandomBytes: RandomBytes = (size) => cryptoRandomBytes(size);

function isDigitValue(value: number | undefined): value is number {
  return value !== undefined && value <= 9; // Uint8Array values are already integers ≥ 0
}

function validateEntry(entry: CardEntry): void {
  const { panDigits, expiry } = entry;
  if (!(panDigits instanceof Uint8Array) || panDigits.length < PAN_MIN_DIGITS || panDigits.length > PAN_MAX_DIGITS) {
    throw cryptoError('INVALID_PAN', `PAN must be ${PAN_MIN_DIGITS}–${PAN_MAX_DIGITS} digit values`, {
      length: panDigits instanceof Uint8Array ? panDigits.length : -1,
    });
  }
  if (!panDigits.every((d) => isDigitValue(d))) throw cryptoError('INVALID_PAN', 'PAN holds a value that is not a digit 0–9');
  if (expiry === undefined || expiry.length === 0) return;
  if (!(expiry instanceof Uint8Array) || expiry.length !== EXPIRY_DIGITS || !expiry.every((d) => isDigitValue(d))) {
    throw cryptoError('INVALID_EXPIRY', 'expiry must be 4 digit values MMYY');
  }
  const month = expiry[0]! * 10 + expiry[1]!;
  if (month < 1 || month > 12) throw cryptoError('INVALID_EXPIRY', 'expiry month must be 01–12');
}

/** Fills `plaintext` (32 bytes) with the §7 layout; `fill` supplies bytes 14..31. */
function writePlaintext(entry: CardEntry, fill: Uint8Array, plaintext: Buffer): void {
  const { panDigits, expiry } = entry;
  plaintext[FORMAT_OFFSET] = CARD_BLOCK_FORMAT;
  plaintext[PAN_LENGTH_OFFSET] = panDigits.length;
  plaintext.fill(0xff, PAN_BCD_OFFSET, PAN_BCD_OFFSET + PAN_BCD_SIZE);
  for (let i = 0; i < panDigits.length; i++) {
    const at = PAN_BCD_OFFSET + (i >> 1);
    const digit = panDigits[i]!;
    plaintext[at] = i % 2 === 0 ? (digit << 4) | 0x0f : (plaintext[at]! & 0xf0) | digit;
  }
  if (expiry !== undefined && expiry.length === EXPIRY_DIGITS) {
    plaintext[EXPIRY_OFFSET] = (expiry[0]! << 4) | expiry[1]!;
    plaintext[EXPIRY_OFFSET + 1] = (expiry[2]! << 4) | expiry[3]!;
  } else {
    plaintext[EXPIRY_OFFSET] = 0xff;
    plaintext[EXPIRY_OFFSET + 1] = 0xff;
  }
  plaintext.set(fill, FILL_OFFSET);
}

function randomOf(randomBytes: RandomBytes, size: number): Uint8Array {
  const bytes = randomBytes(size);
  if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
    throw new TypeError(`randomBytes(${size}) must return ${size} bytes`);
  }
  return bytes;
}

/**
 * encryptedBlock (48 bytes) = IV || AES-128-CBC(dataKey, IV, plaintext) for one card entry.
 * Throws CryptoError INVALID_PAN / INVALID_EXPIRY / INVALID_KEY on bad input (messages carry no digits).
 */
export function encryptCardBlock(
  entry: CardEntry,
  dataKey: Uint8Array,
  randomBytes: RandomBytes = defaultRandomBytes,
): Buffer {
  validateEntry(entry);
  if (dataKey.length !== 16) throw cryptoError('INVALID_KEY', 'data key must be 16 bytes (AES-128)', { length: dataKey.length });
  const plaintext = Buffer.alloc(CARD_BLOCK_PLAINTEXT_SIZE);
  let fill: Uint8Array | undefined;
  try {
    const iv = Buffer.from(randomOf(randomBytes, CARD_BLOCK_IV_SIZE));
    fill = randomOf(randomBytes, FILL_SIZE);
    writePlaintext(entry, fill, plaintext);
    const cipher = createCipheriv('aes-128-cbc', dataKey, iv).setAutoPadding(false);
    return Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
  } finally {
    plaintext.fill(0);
    fill?.fill(0);
  }
}

export interface EncryptedCardEntry {
  /** 12 bytes: the DUKPT KSN of the key that encrypted this block. */
  keySerialNumber: Buffer;
  /** 48 bytes, PROTOCOL.md §7. */
  encryptedBlock: Buffer;
}

/**
 * One transaction: take the device's next DUKPT key, encrypt the entry, zero the key.
 * Throws CryptoError KEY_EXHAUSTED when the device has no counter left.
 */
export function encryptCardEntry(
  device: DukptDevice,
  entry: CardEntry,
  randomBytes: RandomBytes = defaultRandomBytes,
): EncryptedCardEntry {
  validateEntry(entry); // before a key is spent on input that can't be encrypted
  const { ksn, dataEncryptionKey } = device.nextTransaction();
  try {
    return { keySerialNumber: ksn, encryptedBlock: encryptCardBlock(entry, dataEncryptionKey, randomBytes) };
  } finally {
    dataEncryptionKey.fill(0);
  }
}
