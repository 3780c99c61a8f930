/** tenkey/testing: the keypad in-process for a store backend's own tests (no PTY, no socket, no native code). */
export { createTestKeypad, TestKeypad } from './test-keypad.js';
export type { TestKeypadOptions, TestDeviceOptions, TestDriverOptions } from './test-keypad.js';
export { TestDevice, TEST_KEYPAD_ADDRESS } from './test-device.js';
export type { TestEntry, TestCardEntry, TestNumberEntry, TestKeysEntry, TestExpiry, TestEntryPacing } from './test-entry.js';
export { TestKeypadError, TestKeypadErrorCode } from './errors.js';
export type { TestKeypadErrorCodeName } from './errors.js';
export { TEST_CARDS, AUTHORIZATION_TEST_CARDS } from '../device-sim/test-cards.js';
export type { TestCardName, AuthorizationTestCardName } from '../device-sim/test-cards.js';
export { createTestPaymentServices } from '../payment-sim/test-payment-services.js';
export type { PaymentServices, TestPaymentServicesOptions } from '../payment-sim/test-payment-services.js';
export type { TokenService, TokenServiceOptions, TokenizeRequest, CardToken } from '../payment-sim/token-service.js';
export type {
  AuthorizationService, AuthorizationServiceOptions, AuthorizationRequest, AuthorizationResult,
} from '../payment-sim/authorization-service.js';
export type { DeclineReason } from '../payment-sim/authorization-rules.js';
export type { FaultStream, FaultStreamOptions, FaultStreamStats } from '../device-sim/faults/fault-stream.js';
export type { ByteTransport, ByteTransportEvents } from '../host-driver/transport/byte-transport.js';
export { memoryCable } from './memory-cable.js';
export type { MemoryCable, MemoryCableOptions } from './memory-cable.js';
export { VirtualTime } from './virtual-time.js';
export { SteppingClock } from './stepping-clock.js';
