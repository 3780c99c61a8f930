/**
 * What the store answers when the payment stand-ins refuse a request: one row per PaymentSimError code, the HTTP
 * status and which of the store's four messages the page shows. The one table store-api.ts and README read.
 */
import type { TenkeyErrorCode } from '../host-driver/errors.js';
import type { PaymentSimErrorCodeName } from '../payment-sim/errors.js';

export interface PaymentFailureRow {
  readonly status: number;
  readonly outcome: TenkeyErrorCode;
  /** Why this refusal lands there, in one line (rendered into README). */
  readonly why: string;
}

export const PAYMENT_FAILURE_TABLE: Readonly<Record<PaymentSimErrorCodeName, PaymentFailureRow>> = {
  BAD_INPUT: { status: 422, outcome: 'TEMPORARY', why: 'the page sent a field the token service cannot read (a bug, nothing staff can fix)' },
  UNKNOWN_KEY_SET: { status: 422, outcome: 'TEMPORARY', why: "the keypad's key set is not the card service's: support must look at it" },
  UNREADABLE_CARD: { status: 422, outcome: 'TEMPORARY', why: 'the block does not decrypt (corrupted, or the wrong key)' },
  UNKNOWN_TOKEN: { status: 422, outcome: 'TEMPORARY', why: 'the card token is spent, expired or was never issued' },
  REPLAYED_KSN: {
    status: 409, outcome: 'ENTRY_TIMEOUT',
    why: 'the block was already used (a resubmitted form, a copied request) or its keypad counter went back: only a new entry on the keypad gives a usable one, and that message asks for exactly that (the card is fine: not CARD_SERVICE; waiting does not help: not TEMPORARY)',
  },
};

/** The table as Markdown, for README.md (`npm run docs`). */
export function renderPaymentFailureTableMarkdown(): string {
  const lines = ['| Payment refusal (`cause`) | HTTP | Store message | Why |', '|---|---|---|---|'];
  for (const [code, row] of Object.entries(PAYMENT_FAILURE_TABLE)) lines.push(`| \`${code}\` | ${row.status} | \`${row.outcome}\` | ${row.why.replace(/\|/g, '\\|')} |`);
  return `${lines.join('\n')}\n`;
}
