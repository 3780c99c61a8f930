/**
 * A stand-in for the store's card service (トークン化と与信): it holds the BDK, turns a RESULT's KSN and
 * encrypted block into an opaque token and "authorizes" test cards like a card network's sandbox would.
 * TEST ONLY. It never returns the PAN: only a token, the brand and the last three digits.
 *
 * Authorization rules, in this order:
 *   Luhn check fails                 → declined, INVALID_NUMBER
 *   expiry month already over        → declined, EXPIRED_CARD
 *   PAN ends in 0002 (4000000000000002) → declined, DECLINED
 *   PAN ends in 9995 (4000000000009995) → declined, INSUFFICIENT_FUNDS
 *   PAN ends in 0069 (4000000000000069) → declined, EXPIRED_CARD (whatever the expiry says)
 *   anything else                    → approved
 */
import { createHmac, randomBytes } from 'node:crypto';
import luhn10 from 'card-validator/dist/luhn-10.js';
import type { Brand } from '../../protocol/messages.js';
import { detectBrand } from '../entry/brand.js';
import { decryptCardBlock } from './card-block-decrypt.js';

export type DeclineReason = 'INVALID_NUMBER' | 'EXPIRED_CARD' | 'DECLINED' | 'INSUFFICIENT_FUNDS';

/** Test numbers the mock network declines, by their last four digits. */
export const DECLINED_TEST_ENDINGS: Readonly<Record<string, DeclineReason>> = {
  '0002': 'DECLINED',
  '9995': 'INSUFFICIENT_FUNDS',
  '0069': 'EXPIRED_CARD',
};

/** What a device RESULT carries (a ResultMessage fits). */
export interface EncryptedCard {
  keySerialNumber: Uint8Array;
  encryptedBlock: Uint8Array;
}

export interface AuthorizationResult {
  /** `tok_` + 32 hex digits; the same card gives the same token within one service key. */
  token: string;
  /** Omitted when credit-card-type can't name the brand. */
  brand?: Brand;
  last3: string;
  approved: boolean;
  declineReason?: DeclineReason;
}

export interface TestTokenServiceOptions {
  /** HMAC key for tokens; default one random key per process. */
  tokenKey?: Uint8Array;
  /** Today's date for the expiry check. */
  now?: () => Date;
}

const processTokenKey = randomBytes(32);

function isExpired(expiry: string, today: Date): boolean {
  const month = Number(expiry.slice(0, 2));
  const year = 2000 + Number(expiry.slice(2, 4));
  return year * 12 + month < today.getUTCFullYear() * 12 + today.getUTCMonth() + 1;
}

export class TestTokenService {
  readonly #bdk: Buffer;
  readonly #tokenKey: Buffer;
  readonly #now: () => Date;

  constructor(bdk: Uint8Array, options: TestTokenServiceOptions = {}) {
    this.#bdk = Buffer.from(bdk);
    this.#tokenKey = Buffer.from(options.tokenKey ?? processTokenKey);
    this.#now = options.now ?? (() => new Date());
  }

  /** Decrypts, tokenizes and authorizes. Throws CryptoError when the block can't be read (wrong key, corrupt). */
  authorize(card: EncryptedCard): AuthorizationResult {
    const { pan, expiry } = decryptCardBlock(this.#bdk, card.keySerialNumber, card.encryptedBlock);
    const token = `tok_${createHmac('sha256', this.#tokenKey).update(pan).digest('hex').slice(0, 32)}`;
    const brand = detectBrand(pan);
    const result: AuthorizationResult = { token, last3: pan.slice(-3), approved: false };
    if (brand !== 'unknown') result.brand = brand;
    const declineReason = !luhn10(pan)
      ? 'INVALID_NUMBER'
      : expiry !== null && isExpired(expiry, this.#now())
        ? 'EXPIRED_CARD'
        : DECLINED_TEST_ENDINGS[pan.slice(-4)];
    if (declineReason === undefined) result.approved = true;
    else result.declineReason = declineReason;
    return result;
  }
}
