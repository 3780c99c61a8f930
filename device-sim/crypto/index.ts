/** Device-side card crypto. The decrypt side (card-block-decrypt, used by payment-sim/) is imported by path, on purpose. */
export {
  countOneBits, isValidCounter, nextValidCounter, createDerivationData, deriveInitialKey, parseKsn, buildKsn,
  deriveIntermediateKey, deriveWorkingKey, hostDeriveWorkingKey, KeyUsage, CARD_DATA_KEY_USAGE, DUKPT_KEY_SIZE,
  INITIAL_KEY_ID_SIZE, MAX_COUNTER_ONE_BITS, MAX_COUNTER, FIRST_COUNTER, DukptDevice, type KeyUsageName,
  type WorkingKeyUsage, type DukptDeviceOptions, type DukptTransaction,
} from './aes-dukpt.js';
export {
  encryptCardBlock, encryptCardEntry, type CardEntry, type RandomBytes, type EncryptedCardEntry,
} from './card-block.js';
export {
  CARD_BLOCK_FORMAT, CARD_BLOCK_IV_SIZE, CARD_BLOCK_PLAINTEXT_SIZE, ENCRYPTED_CARD_BLOCK_SIZE, FORMAT_OFFSET,
  PAN_LENGTH_OFFSET, PAN_BCD_OFFSET, PAN_BCD_SIZE, EXPIRY_OFFSET, EXPIRY_SIZE, FILL_OFFSET, FILL_SIZE, PAD_NIBBLE,
  EXPIRY_DIGITS,
} from './card-block-layout.js';
export { cryptoError, isCryptoError, CryptoErrorCode, CryptoError, type CryptoErrorCodeName } from './errors.js';
export { loadTestKeys, createTestDukptDevice, TEST_KEYS_FILE, type TestKeys } from './test-keys.js';
