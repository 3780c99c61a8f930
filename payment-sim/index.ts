/** The payment-side stand-ins (TEST ONLY): the provider's token service and the card service's 与信. */
export { TokenService, DEFAULT_TOKEN_TTL_MS } from './token-service.js';
export type { TokenizeRequest, CardToken, TokenServiceOptions } from './token-service.js';
export { AuthorizationService } from './authorization-service.js';
export type { AuthorizationRequest, AuthorizationResult, AuthorizationServiceOptions } from './authorization-service.js';
export { authorizationOutcomeOf, DECLINING_TEST_CARDS, isExpired } from './authorization-rules.js';
export type { DeclineReason, AuthorizationRuleOutcome } from './authorization-rules.js';
export { PaymentSimError, PaymentSimErrorCode } from './errors.js';
export type { PaymentSimErrorCodeName } from './errors.js';
export { createTestPaymentServices } from './test-payment-services.js';
export type { PaymentServices } from './test-payment-services.js';
