/**
 * The mock card network's documented test outcomes (what a provider's sandbox publishes), in this order:
 *
 *   the "unavailable" test card      → unavailable (the service is down: it checks nothing)
 *   Luhn check fails                 → declined, INVALID_NUMBER
 *   expiry month already over        → declined, EXPIRED_CARD
 *   the "declined" test card         → declined, DECLINED
 *   the "insufficient-funds" card    → declined, INSUFFICIENT_FUNDS
 *   the "expired-card" test card     → declined, EXPIRED_CARD (whatever the expiry says)
 *   anything else                    → approved
 *
 * The numbers are AUTHORIZATION_TEST_CARDS in device-sim/test-cards.ts. Pure: the card goes in, an outcome comes out.
 */
import luhn10 from 'card-validator/dist/luhn-10.js';
import { AUTHORIZATION_TEST_CARDS, type AuthorizationTestCardName } from '../device-sim/test-cards.js';

export type DeclineReason = 'INVALID_NUMBER' | 'EXPIRED_CARD' | 'DECLINED' | 'INSUFFICIENT_FUNDS';

export type AuthorizationRuleOutcome =
  | { outcome: 'approved' }
  | { outcome: 'declined'; reason: DeclineReason }
  | { outcome: 'unavailable' };

/** The test cards the network declines, and why. */
export const DECLINING_TEST_CARDS: Readonly<Partial<Record<AuthorizationTestCardName, DeclineReason>>> = {
  declined: 'DECLINED',
  'insufficient-funds': 'INSUFFICIENT_FUNDS',
  'expired-card': 'EXPIRED_CARD',
};

const DECLINE_BY_NUMBER: ReadonlyMap<string, DeclineReason> = new Map(
  Object.entries(DECLINING_TEST_CARDS).map(([name, reason]) => [AUTHORIZATION_TEST_CARDS[name as AuthorizationTestCardName], reason]),
);

/** True when MMYY's month is over on `today` (a card is valid through the end of its expiry month). */
export function isExpired(expiry: string, today: Date): boolean {
  const month = Number(expiry.slice(0, 2));
  const year = 2000 + Number(expiry.slice(2, 4));
  return year * 12 + month < today.getUTCFullYear() * 12 + today.getUTCMonth() + 1;
}

export function authorizationOutcomeOf(card: { pan: string; expiry: string | null }, today: Date): AuthorizationRuleOutcome {
  if (card.pan === AUTHORIZATION_TEST_CARDS.unavailable) return { outcome: 'unavailable' };
  if (!luhn10(card.pan)) return { outcome: 'declined', reason: 'INVALID_NUMBER' };
  if (card.expiry !== null && isExpired(card.expiry, today)) return { outcome: 'declined', reason: 'EXPIRED_CARD' };
  const reason = DECLINE_BY_NUMBER.get(card.pan);
  return reason === undefined ? { outcome: 'approved' } : { outcome: 'declined', reason };
}
