/**
 * Stand-in for the card service's 与信 (authorization): spends a one-time card token from the TokenService and
 * answers with the mock network's documented test outcome (authorization-rules.ts). TEST ONLY.
 */
import { randomBytes } from 'node:crypto';
import type { Brand } from '../protocol/messages.js';
import { detectBrand } from '../device-sim/entry/brand.js';
import { authorizationOutcomeOf, type DeclineReason } from './authorization-rules.js';
import { PaymentSimError } from './errors.js';
import type { TokenService } from './token-service.js';

export interface AuthorizationRequest {
  /** Yen, a positive integer. */
  amount: number;
}

export type AuthorizationResult =
  | { outcome: 'approved'; authorizationId: string; amount: number; brand: Brand; last3: string }
  | { outcome: 'declined'; reason: DeclineReason; brand: Brand; last3: string }
  | { outcome: 'unavailable' };

export interface AuthorizationServiceOptions {
  /** Today's date for the expiry check. */
  now?: () => Date;
}

export class AuthorizationService {
  readonly #now: () => Date;

  constructor(private readonly tokens: TokenService, options: AuthorizationServiceOptions = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  /** Throws PaymentSimError: BAD_INPUT (amount), UNKNOWN_TOKEN (the token is spent whatever the outcome). */
  authorize(token: string, request: AuthorizationRequest): AuthorizationResult {
    const amount = (request as Partial<AuthorizationRequest> | undefined)?.amount;
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
      throw new PaymentSimError('BAD_INPUT', 'amount must be a positive whole number of yen');
    }
    return this.tokens.consume(token, (card): AuthorizationResult => {
      const rule = authorizationOutcomeOf(card, this.#now());
      const brand = detectBrand(card.pan);
      const last3 = card.pan.slice(-3);
      switch (rule.outcome) {
        case 'approved':
          return { outcome: 'approved', authorizationId: `auth_${randomBytes(8).toString('hex')}`, amount, brand, last3 };
        case 'declined':
          return { outcome: 'declined', reason: rule.reason, brand, last3 };
        case 'unavailable':
          return { outcome: 'unavailable' };
      }
    });
  }
}
