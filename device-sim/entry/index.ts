/** The keypad's entry logic: the shared entry statechart with the keypad's implementations, its input, keys, brand detection and card rules. */
export {
  EXPIRY_DIGITS, entryMachine, KeypadCard, digitsIn,
  type EncryptCardInput, type EncryptCardOutput, type EncryptCardFailure, type KeypadCardEffects,
  type EntryResult, type CancelledBy, type TimeoutReason, type EntryOutput, type KeyReport, type StateReport,
  type EntryContext, type EntryEvent, type EntryMachine, type EntryActor, type EntrySnapshot,
} from './entry-machine.js';
export { resolveEntryInput, entryInputProblem, type EntryInput, type ResolvedEntryInput } from './entry-input.js';
export {
  isKeypadKey, isDigitKey, digitValue, toKeyClass, DIGIT_KEYS, KEYPAD_KEYS, type DigitKey, type KeypadKey,
} from './keys.js';
export { detectBrand, isProtocolBrand, BRAND_PREFIX_DIGITS } from './brand.js';
export {
  isLuhnValid, isBrandAccepted, checkExpiry, lastDigits, type CalendarMonth, type ExpiryCheck,
} from './card-rules.js';
export { toEntryState, toEntryField, toDeviceError } from './protocol-names.js';
export { stopEntry } from './stop-entry.js';
