/**
 * Byte layout of the card block, PROTOCOL.md §7 (shared by the device's encryptor and the test-side decryptor).
 * encryptedBlock = IV (16 random bytes) || AES-128-CBC(data key, IV, 32-byte plaintext, no padding).
 */
export const CARD_BLOCK_FORMAT = 0x01;
export const CARD_BLOCK_IV_SIZE = 16;
export const CARD_BLOCK_PLAINTEXT_SIZE = 32;
export const ENCRYPTED_CARD_BLOCK_SIZE = CARD_BLOCK_IV_SIZE + CARD_BLOCK_PLAINTEXT_SIZE;

/** Plaintext offsets. */
export const FORMAT_OFFSET = 0;
export const PAN_LENGTH_OFFSET = 1;
/** PAN as packed BCD, left-aligned, padded with 0xF nibbles: 10 bytes hold up to 20 digits. */
export const PAN_BCD_OFFSET = 2;
export const PAN_BCD_SIZE = 10;
/** Expiry MMYY as two BCD bytes; 0xFFFF when absent. */
export const EXPIRY_OFFSET = 12;
export const EXPIRY_SIZE = 2;
/** Random fill to the end of the block, so two entries of one card never share plaintext. */
export const FILL_OFFSET = 14;
export const FILL_SIZE = CARD_BLOCK_PLAINTEXT_SIZE - FILL_OFFSET;

export const PAD_NIBBLE = 0xf;
export const EXPIRY_DIGITS = 4;
