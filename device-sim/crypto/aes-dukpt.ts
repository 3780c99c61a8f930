/**
 * AES DUKPT (ANSI X9.24-3-2017) with AES-128 keys: key derivation for the host side (BDK → initial key →
 * working key for a KSN) and the device side's key register (`DukptDevice`).
 * Hand-written on node:crypto: no well-kept JS library does X9.24-3 (npm `dukpt` is TDES only; its "AES" mode is not X9.24-3).
 *
 * KSN (12 bytes) = initial key ID (BDK ID 4 + derivation ID 4) || transaction counter (u32 BE).
 * Every buffer that held an intermediate key is zeroed once superseded. (node:crypto copies a key into
 * OpenSSL for the one AES block it computes; that copy is freed by OpenSSL, not wiped by us.)
 */
import { createCipheriv } from 'node:crypto';
import { KEY_SET_ID_SIZE, KSN_SIZE } from '../../protocol/constants.js';
import { cryptoError } from './errors.js';

/** Key usage indicators, X9.24-3-2017 §6.3.2 table 2. */
export const KeyUsage = {
  KEY_ENCRYPTION_KEY: 0x0002,
  PIN_ENCRYPTION: 0x1000,
  MAC_GENERATION: 0x2000,
  MAC_VERIFICATION: 0x2001,
  MAC_BOTH_WAYS: 0x2002,
  DATA_ENCRYPTION_ENCRYPT: 0x3000,
  DATA_ENCRYPTION_DECRYPT: 0x3001,
  DATA_ENCRYPTION_BOTH_WAYS: 0x3002,
  KEY_DERIVATION: 0x8000,
  KEY_DERIVATION_INITIAL_KEY: 0x8001,
} as const;
export type KeyUsageName = keyof typeof KeyUsage;
/** Usages a transaction's working key may have (the two KEY_DERIVATION usages build the key tree itself). */
export type WorkingKeyUsage = Exclude<KeyUsageName, 'KEY_DERIVATION' | 'KEY_DERIVATION_INITIAL_KEY'>;

/**
 * The card block (PROTOCOL.md §7) travels device → host only, so its key is the one-direction
 * "Data Encryption, encrypt" key (0x3000): the host derives the same key to decrypt, and nothing it holds
 * is a key the device would accept data under.
 */
export const CARD_DATA_KEY_USAGE: WorkingKeyUsage = 'DATA_ENCRYPTION_ENCRYPT';

/** Algorithm indicator and key length (bits) for AES-128, §6.3.2 table 2. */
const ALGORITHM_AES128 = 0x0002;
const KEY_BITS_AES128 = 128;
const DERIVATION_DATA_VERSION = 0x01;

export const DUKPT_KEY_SIZE = 16;
export const INITIAL_KEY_ID_SIZE = KEY_SET_ID_SIZE;
/** Bytes 4..7 of the initial key ID: the part that enters every derivation below the initial key. */
const DERIVATION_ID_OFFSET = 4;
/** A device never uses a counter with more than this many one-bits (§6.1), which bounds its work per key. */
export const MAX_COUNTER_ONE_BITS = 16;
/** The largest counter with at most 16 one-bits: the last transaction a device may run. */
export const MAX_COUNTER = 0xffff0000;
export const FIRST_COUNTER = 1;

function assertKey(key: Uint8Array, what: string): void {
  if (key.length !== DUKPT_KEY_SIZE) {
    throw cryptoError('INVALID_KEY', `${what} must be ${DUKPT_KEY_SIZE} bytes (AES-128)`, { length: key.length });
  }
}

function assertInitialKeyId(initialKeyId: Uint8Array): void {
  if (initialKeyId.length !== INITIAL_KEY_ID_SIZE) {
    throw cryptoError('INVALID_KEY_ID', `initial key ID must be ${INITIAL_KEY_ID_SIZE} bytes`, {
      length: initialKeyId.length,
    });
  }
}

function assertCounterRange(counter: number): void {
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) {
    throw cryptoError('INVALID_COUNTER', 'transaction counter must be an integer 0..0xFFFFFFFF');
  }
}

/** One-bits in a u32. */
export function countOneBits(counter: number): number {
  let bits = 0;
  for (let rest = counter >>> 0; rest !== 0; rest &= rest - 1) bits++;
  return bits;
}

/** A counter a device may use for a transaction: 1..0xFFFF0000 with at most 16 one-bits. */
export function isValidCounter(counter: number): boolean {
  return Number.isInteger(counter) && counter >= FIRST_COUNTER && counter <= MAX_COUNTER
    && countOneBits(counter) <= MAX_COUNTER_ONE_BITS;
}

/**
 * The next counter a device may use after `counter`, or null when there is none (exhausted).
 * Past a counter with too many one-bits, adding its lowest one-bit skips every counter that shares the
 * same high bits (they all have at least as many one-bits), as X9.24-3 §6.1 and its reference code do.
 */
export function nextValidCounter(counter: number): number | null {
  assertCounterRange(counter);
  let next = counter + 1;
  while (next <= MAX_COUNTER && countOneBits(next) > MAX_COUNTER_ONE_BITS) {
    next += (next & -next) >>> 0;
  }
  return next <= MAX_COUNTER ? next : null;
}

/**
 * Derivation data, §6.3.2 table 2 / §6.3.3: version 0x01, key block counter 0x01, key usage u16,
 * algorithm u16, length in bits u16, then either the whole initial key ID (initial key derivation) or
 * the derivation ID (initial key ID bytes 4..7) followed by the counter u32 BE.
 */
export function createDerivationData(usage: KeyUsageName, initialKeyId: Uint8Array, counter: number): Buffer {
  assertInitialKeyId(initialKeyId);
  assertCounterRange(counter);
  const data = Buffer.alloc(16);
  data[0] = DERIVATION_DATA_VERSION;
  data[1] = 0x01; // key block counter: an AES-128 key is one block of derivation output
  data.writeUInt16BE(KeyUsage[usage], 2);
  data.writeUInt16BE(ALGORITHM_AES128, 4);
  data.writeUInt16BE(KEY_BITS_AES128, 6);
  if (usage === 'KEY_DERIVATION_INITIAL_KEY') {
    data.set(initialKeyId, 8);
  } else {
    data.set(initialKeyId.subarray(DERIVATION_ID_OFFSET, INITIAL_KEY_ID_SIZE), 8);
    data.writeUInt32BE(counter, 12);
  }
  return data;
}

/** The derivation function, §6.3.1: AES-ECB encryption of the derivation data under the parent key. */
function deriveKey(parentKey: Uint8Array, derivationData: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-128-ecb', parentKey, null).setAutoPadding(false);
  const derived = cipher.update(derivationData);
  cipher.final(); // one whole block, no padding: nothing is held back
  return derived;
}

/** Initial key (IK) of a device from the BDK and its 8-byte initial key ID. Host / key-injection side only. */
export function deriveInitialKey(bdk: Uint8Array, initialKeyId: Uint8Array): Buffer {
  assertKey(bdk, 'BDK');
  return deriveKey(bdk, createDerivationData('KEY_DERIVATION_INITIAL_KEY', initialKeyId, 0));
}

/** Splits a 12-byte KSN; copies, so the caller's buffer can be reused. */
export function parseKsn(ksn: Uint8Array): { initialKeyId: Buffer; counter: number } {
  if (ksn.length !== KSN_SIZE) {
    throw cryptoError('INVALID_KSN', `KSN must be ${KSN_SIZE} bytes`, { length: ksn.length });
  }
  const bytes = Buffer.from(ksn);
  return { initialKeyId: bytes.subarray(0, INITIAL_KEY_ID_SIZE), counter: bytes.readUInt32BE(INITIAL_KEY_ID_SIZE) };
}

export function buildKsn(initialKeyId: Uint8Array, counter: number): Buffer {
  assertInitialKeyId(initialKeyId);
  assertCounterRange(counter);
  const ksn = Buffer.alloc(KSN_SIZE);
  ksn.set(initialKeyId, 0);
  ksn.writeUInt32BE(counter, INITIAL_KEY_ID_SIZE);
  return ksn;
}

/**
 * The intermediate derivation key for a KSN's counter (the spec's "current derivation key"): start from the
 * initial key and, for each one-bit of the counter from the most significant, set that bit in a working
 * counter and derive the next key from the previous one (usage KEY_DERIVATION). Counter 0 gives the IK.
 * Any u32 counter is accepted here (the published vectors include 0x1FFFF); devices never use invalid ones.
 */
export function deriveIntermediateKey(initialKey: Uint8Array, ksn: Uint8Array): Buffer {
  assertKey(initialKey, 'initial key');
  const { initialKeyId, counter } = parseKsn(ksn);
  let key: Buffer = Buffer.from(initialKey);
  let pathCounter = 0;
  for (let bit = 31; bit >= 0; bit--) {
    const mask = 2 ** bit;
    if (Math.floor(counter / mask) % 2 === 0) continue;
    pathCounter += mask;
    const next = deriveKey(key, createDerivationData('KEY_DERIVATION', initialKeyId, pathCounter));
    key.fill(0);
    key = next;
  }
  return key;
}

/**
 * Working key for one transaction: the KSN's intermediate derivation key, then one more derivation with the
 * working key's usage and the same counter. Refuses counters a device would never use (INVALID_KSN).
 */
export function deriveWorkingKey(initialKey: Uint8Array, ksn: Uint8Array, usage: WorkingKeyUsage): Buffer {
  const name: string = usage; // checked at run time too: JS callers and casts can pass anything
  if (!Object.hasOwn(KeyUsage, name) || name === 'KEY_DERIVATION' || name === 'KEY_DERIVATION_INITIAL_KEY') {
    throw cryptoError('INVALID_KEY_USAGE', 'not a working key usage', { usage: String(usage) });
  }
  const { initialKeyId, counter } = parseKsn(ksn);
  if (!isValidCounter(counter)) {
    throw cryptoError('INVALID_KSN', 'KSN counter is not one a device uses (0, above 0xFFFF0000, or over 16 one-bits)');
  }
  const derivationKey = deriveIntermediateKey(initialKey, ksn);
  try {
    return deriveKey(derivationKey, createDerivationData(usage, initialKeyId, counter));
  } finally {
    derivationKey.fill(0);
  }
}

/** Host side in one step: BDK + the KSN that came with the data → that transaction's working key. */
export function hostDeriveWorkingKey(bdk: Uint8Array, ksn: Uint8Array, usage: WorkingKeyUsage): Buffer {
  const initialKey = deriveInitialKey(bdk, parseKsn(ksn).initialKeyId);
  try {
    return deriveWorkingKey(initialKey, ksn, usage);
  } finally {
    initialKey.fill(0);
  }
}

export interface DukptDeviceOptions {
  /**
   * Counter of the first transaction (default 1). Must be a valid counter: 1..0xFFFF0000, ≤ 16 one-bits;
   * null = none left (a register already exhausted, as its non-volatile memory says).
   */
  startCounter?: number | null;
  /** The device's non-volatile memory for its counter; without it the counter lives in memory only. */
  counterMemory?: DukptCounterMemory;
}

/**
 * Where a device keeps its next counter across power cycles (device-sim/firmware/counter-file.ts). `save` must be
 * durable when it returns: it runs before the transaction's key is derived, so a crash after it skips a counter
 * and never repeats one. It throws when it cannot save, and the transaction then fails.
 */
export interface DukptCounterMemory {
  /** `next`: the counter the following transaction will use; null when none is left. */
  save(next: number | null): void;
}

export interface DukptTransaction {
  /** 12 bytes, sent with the ciphertext so the host can derive the same key. */
  ksn: Buffer;
  /** The transaction's working key. The caller zeroes it (`fill(0)`) when done. */
  dataEncryptionKey: Buffer;
  counter: number;
}

/**
 * The device's DUKPT state: initial key, initial key ID and the next transaction counter.
 * Each transaction key is derived from the initial key along the counter's bit path (at most 16 AES
 * operations + 1); that gives exactly the keys of the spec's 32 intermediate-key registers with less state,
 * which is fine for a simulator (a real SRED device keeps the registers so it can erase the initial key).
 */
export class DukptDevice {
  readonly #initialKey: Buffer;
  readonly #initialKeyId: Buffer;
  readonly #memory: DukptCounterMemory | undefined;
  #counter: number | null;
  #destroyed = false;

  constructor(initialKey: Uint8Array, initialKeyId: Uint8Array, options: DukptDeviceOptions = {}) {
    assertKey(initialKey, 'initial key');
    assertInitialKeyId(initialKeyId);
    const start = options.startCounter === undefined ? FIRST_COUNTER : options.startCounter;
    if (start !== null && !isValidCounter(start)) {
      throw cryptoError('INVALID_COUNTER', 'start counter must be 1..0xFFFF0000 with at most 16 one-bits');
    }
    this.#initialKey = Buffer.from(initialKey);
    this.#initialKeyId = Buffer.from(initialKeyId);
    this.#memory = options.counterMemory;
    this.#counter = start;
  }

  /** The 8-byte initial key ID (= protocol keySetId). A copy. */
  get initialKeyId(): Buffer {
    return Buffer.from(this.#initialKeyId);
  }

  /** Counter the next transaction will use; null once exhausted. */
  get counter(): number | null {
    return this.#counter;
  }

  get exhausted(): boolean {
    return this.#counter === null;
  }

  /**
   * Keys for the next transaction; the counter moves past it before this returns (a key is used once,
   * even if the caller fails afterwards), and past it in the counter memory before the key exists.
   * Throws CryptoError KEY_EXHAUSTED when no counter is left; whatever the counter memory throws.
   */
  nextTransaction(usage: WorkingKeyUsage = CARD_DATA_KEY_USAGE): DukptTransaction {
    if (this.#destroyed) throw cryptoError('INVALID_KEY', 'DUKPT device keys were destroyed');
    const counter = this.#counter;
    if (counter === null) throw cryptoError('KEY_EXHAUSTED', 'DUKPT transaction counter exhausted');
    this.#counter = nextValidCounter(counter);
    this.#memory?.save(this.#counter);
    const ksn = buildKsn(this.#initialKeyId, counter);
    return { ksn, dataEncryptionKey: deriveWorkingKey(this.#initialKey, ksn, usage), counter };
  }

  /** Zeroes the initial key; the device refuses every later transaction. */
  destroy(): void {
    this.#initialKey.fill(0);
    this.#destroyed = true;
  }
}
