/** The token and authorization stand-ins wired to the TEST-ONLY BDK in fixtures/keys/ (what the simulator encrypts with). */
import { loadTestKeys } from '../device-sim/crypto/test-keys.js';
import { AuthorizationService } from './authorization-service.js';
import { TokenService } from './token-service.js';

export interface PaymentServices {
  tokens: TokenService;
  authorizations: AuthorizationService;
}

export function createTestPaymentServices(options: { now?: () => Date; tokenTtlMs?: number } = {}): PaymentServices {
  const { bdk, initialKeyId, initialKey } = loadTestKeys();
  initialKey.fill(0);
  try {
    const tokens = new TokenService(bdk, { keySetId: initialKeyId, ...options });
    return { tokens, authorizations: new AuthorizationService(tokens, options.now === undefined ? {} : { now: options.now }) };
  } finally {
    bdk.fill(0); // the service keeps its own copy
  }
}
