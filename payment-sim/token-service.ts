/**
 * Stand-in for the provider's P2PE decryption + tokenization service (the card networks cannot exist here).
 * It holds the BDK, decrypts a keypad RESULT's block and hands back a random one-time card token with the brand
 * and last three digits. The card itself stays in this object's memory, keyed by the token, until one
 * authorization consumes it (or it expires). TEST ONLY.
 */
import { randomBytes } from 'node:crypto';
import type { Brand } from '../protocol/messages.js';
import { detectBrand } from '../device-sim/entry/brand.js';
import { decryptCardBlock, type DecryptedCard } from '../device-sim/crypto/card-block-decrypt.js';
import { parseKsn } from '../device-sim/crypto/aes-dukpt.js';
import { CryptoError } from '../device-sim/crypto/errors.js';
import { AcceptedKsns } from './accepted-ksns.js';
import { PaymentSimError } from './errors.js';

/** What the store sends: a RESULT's fields as the host driver gives them (hex) or as bytes. */
export interface TokenizeRequest {
  keySerialNumber: string | Uint8Array;
  encryptedBlock: string | Uint8Array;
  /** The keypad's key set (INFO keySetId, hex); checked against the service's when both are known. */
  keySetId?: string | Uint8Array;
}

export interface CardToken {
  /** `tok_` + 32 hex digits, random, good for one authorization. */
  token: string;
  /** 'unknown' when credit-card-type cannot name it. */
  brand: Brand;
  last3: string;
}

export interface TokenServiceOptions {
  /** The key set whose BDK this is (8 bytes, hex or bytes); a tokenize request naming another is refused. */
  keySetId?: string | Uint8Array;
  /** How long an unused token lives (ms); default 30 minutes. */
  tokenTtlMs?: number;
  /** Clock for token expiry. */
  now?: () => Date;
  /** The highest transaction counter accepted per keypad (replay protection); default a new one in memory. */
  acceptedKsns?: AcceptedKsns;
}

export const DEFAULT_TOKEN_TTL_MS = 30 * 60_000;

interface HeldCard {
  card: DecryptedCard;
  expiresAt: number;
}

function bytesOf(field: string, value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'string' && value.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(value)) return Buffer.from(value, 'hex');
  throw new PaymentSimError('BAD_INPUT', `${field} must be bytes or an even number of hex digits`);
}

export class TokenService {
  readonly #bdk: Buffer;
  readonly #keySetId: Buffer | undefined;
  readonly #ttlMs: number;
  readonly #now: () => Date;
  readonly #cards = new Map<string, HeldCard>();
  readonly #acceptedKsns: AcceptedKsns;

  constructor(bdk: Uint8Array, options: TokenServiceOptions = {}) {
    this.#bdk = Buffer.from(bdk);
    this.#keySetId = options.keySetId === undefined ? undefined : bytesOf('keySetId', options.keySetId);
    this.#ttlMs = options.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
    this.#now = options.now ?? (() => new Date());
    this.#acceptedKsns = options.acceptedKsns ?? new AcceptedKsns();
  }

  /**
   * Decrypts and holds the card. A block is tokenized once at most: its KSN's counter must be above every counter
   * already accepted from that keypad. Throws PaymentSimError: BAD_INPUT, UNKNOWN_KEY_SET, UNREADABLE_CARD, REPLAYED_KSN.
   */
  tokenize(request: TokenizeRequest): CardToken {
    if (typeof request !== 'object' || request === null) throw new PaymentSimError('BAD_INPUT', 'the request must be an object');
    const ksn = bytesOf('keySerialNumber', request.keySerialNumber);
    const block = bytesOf('encryptedBlock', request.encryptedBlock);
    if (request.keySetId !== undefined && this.#keySetId !== undefined && !bytesOf('keySetId', request.keySetId).equals(this.#keySetId)) {
      throw new PaymentSimError('UNKNOWN_KEY_SET', 'the card was encrypted under a key set this service has no key for');
    }
    let card: DecryptedCard;
    try {
      card = decryptCardBlock(this.#bdk, ksn, block);
    } catch (error) {
      if (!(error instanceof CryptoError)) throw error;
      throw new PaymentSimError('UNREADABLE_CARD', `the encrypted block cannot be read (${error.code})`, { cause: error });
    }
    // Checked after decrypting: only a block made under that KSN's key may move the device's counter forward
    // (a forged KSN with a huge counter would otherwise lock the keypad out).
    const { initialKeyId, counter } = parseKsn(ksn);
    this.#acceptedKsns.accept(initialKeyId.toString('hex'), counter);
    this.#forgetExpired();
    const token = `tok_${randomBytes(16).toString('hex')}`;
    this.#cards.set(token, { card, expiresAt: this.#now().getTime() + this.#ttlMs });
    return { token, brand: detectBrand(card.pan), last3: card.pan.slice(-3) };
  }

  /**
   * Hands the card behind `token` to `use` once and forgets it (the authorization service's side of the
   * stand-in: the card never leaves payment-sim). Throws PaymentSimError UNKNOWN_TOKEN.
   */
  consume<T>(token: string, use: (card: Readonly<DecryptedCard>) => T): T {
    this.#forgetExpired();
    const held = typeof token === 'string' ? this.#cards.get(token) : undefined;
    if (held === undefined) throw new PaymentSimError('UNKNOWN_TOKEN', 'no such card token (never issued, already used, or expired)');
    this.#cards.delete(token);
    return use(held.card);
  }

  /** Tokens issued and not yet used or expired. */
  get size(): number {
    this.#forgetExpired();
    return this.#cards.size;
  }

  #forgetExpired(): void {
    const now = this.#now().getTime();
    for (const [token, held] of this.#cards) if (held.expiresAt <= now) this.#cards.delete(token);
  }
}
