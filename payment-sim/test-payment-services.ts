/** The token and authorization stand-ins wired to the TEST-ONLY BDK in fixtures/keys/ (what the simulator encrypts with). */
import { loadTestKeys } from '../device-sim/crypto/test-keys.js';
import { AcceptedKsns } from './accepted-ksns.js';
import { AuthorizationService } from './authorization-service.js';
import { TokenService } from './token-service.js';

export interface PaymentServices {
  tokens: TokenService;
  authorizations: AuthorizationService;
}

export interface TestPaymentServicesOptions {
  now?: () => Date;
  tokenTtlMs?: number;
  /** Keep the highest accepted KSN counter per keypad in this file (payment-sim/accepted-ksns.ts); default memory. */
  acceptedKsnFile?: string;
}

export function createTestPaymentServices(options: TestPaymentServicesOptions = {}): PaymentServices {
  const { acceptedKsnFile, ...tokenOptions } = options;
  const acceptedKsns = new AcceptedKsns(acceptedKsnFile === undefined ? {} : { file: acceptedKsnFile });
  const { bdk, initialKeyId, initialKey } = loadTestKeys();
  initialKey.fill(0);
  try {
    const tokens = new TokenService(bdk, { keySetId: initialKeyId, acceptedKsns, ...tokenOptions });
    return { tokens, authorizations: new AuthorizationService(tokens, options.now === undefined ? {} : { now: options.now }) };
  } finally {
    bdk.fill(0); // the service keeps its own copy
  }
}
