/** Field limits shared by the encoders and the body parsers, so both sides enforce one rule. PROTOCOL.md §5. */
import { KSN_SIZE, KEY_SET_ID_SIZE, MAX_REVEAL_DIGITS, PAN_MAX_DIGITS } from './constants.js';

export { KSN_SIZE, KEY_SET_ID_SIZE };
/** INFO strings (model, firmwareVersion, serialNumber): UTF-8, at most this many bytes. */
export const MAX_INFO_STRING_BYTES = 64;
/** ERROR.detail: printable ASCII (0x20–0x7E), at most this many bytes. */
export const MAX_ERROR_DETAIL_BYTES = 64;
/** RESULT.last: at most this many ASCII digits. */
export const MAX_LAST_DIGITS = MAX_REVEAL_DIGITS;
/** STATUS/KEY digits: a count, never more than a PAN can have. */
export const MAX_DIGIT_COUNT = PAN_MAX_DIGITS;
/** RESULT.encryptedBlock: IV + whole AES blocks; format 0x01 (§7) is exactly 48 bytes. */
export const AES_BLOCK_SIZE = 16;
export const MIN_ENCRYPTED_BLOCK_SIZE = 32;
export const MAX_ENCRYPTED_BLOCK_SIZE = 256;
/** START_ENTRY.options bit 0; the other bits are reserved and must be zero. */
export const OPTION_EXPIRY_REQUIRED = 0x01;

export function isPrintableAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e) return false;
  }
  return true;
}

export function isAsciiDigits(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x30 || b > 0x39) return false;
  }
  return true;
}

export function isValidEncryptedBlockLength(length: number): boolean {
  return length >= MIN_ENCRYPTED_BLOCK_SIZE && length <= MAX_ENCRYPTED_BLOCK_SIZE && length % AES_BLOCK_SIZE === 0;
}
