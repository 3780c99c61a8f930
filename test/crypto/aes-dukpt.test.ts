import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildKsn, countOneBits, createDerivationData, deriveInitialKey, deriveIntermediateKey, deriveWorkingKey,
  DukptDevice, hostDeriveWorkingKey, isValidCounter, MAX_COUNTER, nextValidCounter, parseKsn,
  type WorkingKeyUsage,
} from '../../device-sim/crypto/aes-dukpt.js';
import {
  BDK, DATA_ENCRYPT_KEYS_FIRST_EIGHT, hex, HOST_WORKING_KEYS, INITIAL_KEY, INITIAL_KEY_ID, INTERMEDIATE_KEYS,
  MOOV_DATA_CIPHERTEXTS, MOOV_DATA_PLAINTEXT, REGISTER_KEYS,
} from './x9-24-3-vectors.js';
import { expectCryptoError } from './expect-crypto-error.js';

const bdk = hex(BDK);
const initialKeyId = hex(INITIAL_KEY_ID);
const initialKey = hex(INITIAL_KEY);
const ksnOf = (counter: number) => buildKsn(initialKeyId, counter);
const upperHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').toUpperCase();


/** Smallest valid counter above `counter`, by brute force (gaps are at most 2^16). */
function bruteNextValid(counter: number): number | null {
  for (let next = counter + 1; next <= MAX_COUNTER; next++) if (isValidCounter(next)) return next;
  return null;
}

describe('derivation data (X9.24-3 §6.3.2 table 2)', () => {
  it('lays out version, key block counter, usage, algorithm, length and the initial key ID for the IK', () => {
    expect(createDerivationData('KEY_DERIVATION_INITIAL_KEY', initialKeyId, 0).toString('hex'))
      .toBe('0101800100020080' + '1234567890123456');
  });

  it('uses the derivation ID (IK ID bytes 4..7) and the counter below the IK', () => {
    expect(createDerivationData('DATA_ENCRYPTION_ENCRYPT', initialKeyId, 0x20001).toString('hex'))
      .toBe('0101300000020080' + '90123456' + '00020001');
    expect(createDerivationData('KEY_DERIVATION', initialKeyId, 0x80000000).toString('hex'))
      .toBe('0101800000020080' + '90123456' + '80000000');
  });
});

describe('host-side derivation against the published X9.24-3 vectors', () => {
  it('derives the initial key from the sample BDK and initial key ID', () => {
    expect(upperHex(deriveInitialKey(bdk, initialKeyId))).toBe(INITIAL_KEY);
  });

  it.each(INTERMEDIATE_KEYS)('derives the intermediate key of counter %i', (counter, key) => {
    expect(upperHex(deriveIntermediateKey(initialKey, ksnOf(counter)))).toBe(key);
  });

  it('derives every single-bit counter key (the 32 registers after loading the IK), up to bit 31', () => {
    const keys = REGISTER_KEYS.map((_, bit) => upperHex(deriveIntermediateKey(initialKey, ksnOf(2 ** bit))));
    expect(keys).toEqual(REGISTER_KEYS);
  });

  it('derives the data-encryption (encrypt) keys of the first eight transactions', () => {
    const keys = DATA_ENCRYPT_KEYS_FIRST_EIGHT.map((_, i) =>
      upperHex(deriveWorkingKey(initialKey, ksnOf(i + 1), 'DATA_ENCRYPTION_ENCRYPT')));
    expect(keys).toEqual(DATA_ENCRYPT_KEYS_FIRST_EIGHT);
  });

  it.each(HOST_WORKING_KEYS)('derives PIN, MAC-generation and data keys from the BDK for counter $counter',
    ({ counter, pin, macGeneration, dataEncrypt }) => {
      const ksn = ksnOf(counter);
      expect(upperHex(hostDeriveWorkingKey(bdk, ksn, 'PIN_ENCRYPTION'))).toBe(pin);
      expect(upperHex(hostDeriveWorkingKey(bdk, ksn, 'MAC_GENERATION'))).toBe(macGeneration);
      expect(upperHex(hostDeriveWorkingKey(bdk, ksn, 'DATA_ENCRYPTION_ENCRYPT'))).toBe(dataEncrypt);
    });

  it.each(MOOV_DATA_CIPHERTEXTS)('reproduces moov-io request/response data ciphertexts for counter $counter',
    ({ counter, request, response }) => {
      const plaintext = Buffer.alloc(32);
      plaintext.write(MOOV_DATA_PLAINTEXT, 'latin1');
      const encrypt = (usage: WorkingKeyUsage) => {
        const key = deriveWorkingKey(initialKey, ksnOf(counter), usage);
        const cipher = createCipheriv('aes-128-cbc', key, Buffer.alloc(16)).setAutoPadding(false);
        return upperHex(Buffer.concat([cipher.update(plaintext), cipher.final()]));
      };
      expect(encrypt('DATA_ENCRYPTION_ENCRYPT')).toBe(request);
      expect(encrypt('DATA_ENCRYPTION_DECRYPT')).toBe(response);
    });

  it('gives each data usage its own key (encrypt ≠ decrypt ≠ both ways)', () => {
    const keys = (['DATA_ENCRYPTION_ENCRYPT', 'DATA_ENCRYPTION_DECRYPT', 'DATA_ENCRYPTION_BOTH_WAYS'] as const)
      .map((usage) => upperHex(deriveWorkingKey(initialKey, ksnOf(5), usage)));
    expect(new Set(keys).size).toBe(3);
  });
});

describe('transaction counter', () => {
  it('counts one-bits of u32 values', () => {
    expect([0, 1, 0x1ffff, 0xffff0000, 0xffffffff].map(countOneBits)).toEqual([0, 1, 17, 16, 32]);
  });

  it('accepts 1..0xFFFF0000 with at most 16 one-bits, nothing else', () => {
    expect([1, 0xffff, 0x1fffe, 0x80000000, 0xffff0000].every(isValidCounter)).toBe(true);
    expect([0, -1, 1.5, Number.NaN, 0x1ffff, 0xffff0001, 0xffffffff, 2 ** 32].some(isValidCounter)).toBe(false);
  });

  it('steps over counters with more than 16 one-bits, as the supplement KSN walk does', () => {
    expect(nextValidCounter(1)).toBe(2);
    expect(nextValidCounter(0xffff)).toBe(0x10000);
    expect(nextValidCounter(0x1fffe)).toBe(0x20000);
    expect(nextValidCounter(0x7fff8000)).toBe(0x80000000);
  });

  it('walks the last four counters and then reports exhaustion (null)', () => {
    const walk: Array<number | null> = [0xfffe2000];
    while (walk.at(-1) !== null) walk.push(nextValidCounter(walk.at(-1)!));
    expect(walk).toEqual([0xfffe2000, 0xfffe4000, 0xfffe8000, 0xffff0000, null]);
  });

  it('always moves to the smallest valid counter above (property, many-bit counters included)', () => {
    const manyBits = fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }))
      .map(([a, b]) => (a | b) >>> 0);
    fc.assert(fc.property(fc.oneof(fc.nat({ max: 0xffffffff }), manyBits), (counter) => {
      expect(nextValidCounter(counter)).toBe(bruteNextValid(counter));
    }), { numRuns: 150 });
  });
});

describe('DukptDevice', () => {
  it('hands out KSNs 1, 2, 3… with the published data-encryption keys', () => {
    const device = new DukptDevice(initialKey, initialKeyId);
    const seen = DATA_ENCRYPT_KEYS_FIRST_EIGHT.map(() => device.nextTransaction('DATA_ENCRYPTION_ENCRYPT'));
    expect(seen.map((t) => t.ksn.toString('hex'))).toEqual(
      DATA_ENCRYPT_KEYS_FIRST_EIGHT.map((_, i) => `1234567890123456${(i + 1).toString(16).padStart(8, '0')}`));
    expect(seen.map((t) => upperHex(t.dataEncryptionKey))).toEqual(DATA_ENCRYPT_KEYS_FIRST_EIGHT);
    expect(device.counter).toBe(9);
  });

  it('uses the data-encryption (encrypt) usage by default', () => {
    const device = new DukptDevice(initialKey, initialKeyId, { startCounter: 8675309 });
    expect(upperHex(device.nextTransaction().dataEncryptionKey)).toBe(HOST_WORKING_KEYS[5]!.dataEncrypt);
  });

  it('skips 0x1FFFF after 0x1FFFE', () => {
    const device = new DukptDevice(initialKey, initialKeyId, { startCounter: 0x1fffe });
    expect([device.nextTransaction().counter, device.nextTransaction().counter]).toEqual([0x1fffe, 0x20000]);
  });

  it('runs the last counter, then refuses with KEY_EXHAUSTED every time', () => {
    const device = new DukptDevice(initialKey, initialKeyId, { startCounter: 0xfffe8000 });
    expect(device.nextTransaction().ksn.toString('hex')).toBe('1234567890123456fffe8000');
    const last = device.nextTransaction();
    expect(last.ksn.toString('hex')).toBe('1234567890123456ffff0000');
    expect(upperHex(last.dataEncryptionKey)).toBe(HOST_WORKING_KEYS[6]!.dataEncrypt);
    expect(device.exhausted).toBe(true);
    expect(device.counter).toBeNull();
    expectCryptoError(() => device.nextTransaction(), 'KEY_EXHAUSTED');
    expectCryptoError(() => device.nextTransaction(), 'KEY_EXHAUSTED');
  });

  it.each([0, 0x1ffff, 0xffff0001, 2 ** 32, -1, 1.5, Number.NaN])('refuses start counter %s', (startCounter) => {
    expectCryptoError(() => new DukptDevice(initialKey, initialKeyId, { startCounter }), 'INVALID_COUNTER');
  });

  it('gives the key the host derives from the BDK and the KSN (property over start counters)', () => {
    const validCounter = fc.nat({ max: MAX_COUNTER }).filter(isValidCounter);
    fc.assert(fc.property(validCounter, (startCounter) => {
      const { ksn, dataEncryptionKey } = new DukptDevice(initialKey, initialKeyId, { startCounter }).nextTransaction();
      expect(parseKsn(ksn).counter).toBe(startCounter);
      expect(dataEncryptionKey).toEqual(hostDeriveWorkingKey(bdk, ksn, 'DATA_ENCRYPTION_ENCRYPT'));
    }), { numRuns: 100 });
  });

  it('keeps its own copies of the keys it was given', () => {
    const ik = Buffer.from(initialKey);
    const id = Buffer.from(initialKeyId);
    const device = new DukptDevice(ik, id);
    ik.fill(0);
    id.fill(0);
    device.initialKeyId.fill(0);
    expect(device.initialKeyId.toString('hex')).toBe(INITIAL_KEY_ID.toLowerCase());
    expect(upperHex(device.nextTransaction().dataEncryptionKey)).toBe(DATA_ENCRYPT_KEYS_FIRST_EIGHT[0]);
  });

  it('refuses to work after destroy()', () => {
    const device = new DukptDevice(initialKey, initialKeyId);
    device.destroy();
    expectCryptoError(() => device.nextTransaction(), 'INVALID_KEY');
  });
});

describe('typed errors on bad input', () => {
  it('rejects keys that are not AES-128', () => {
    expectCryptoError(() => deriveInitialKey(Buffer.alloc(15), initialKeyId), 'INVALID_KEY');
    expectCryptoError(() => deriveInitialKey(Buffer.alloc(32), initialKeyId), 'INVALID_KEY');
    expectCryptoError(() => new DukptDevice(Buffer.alloc(24), initialKeyId), 'INVALID_KEY');
  });

  it('rejects initial key IDs that are not 8 bytes', () => {
    expectCryptoError(() => deriveInitialKey(bdk, Buffer.alloc(7)), 'INVALID_KEY_ID');
    expectCryptoError(() => new DukptDevice(initialKey, Buffer.alloc(10)), 'INVALID_KEY_ID');
  });

  it('rejects KSNs that are not 12 bytes, or whose counter no device uses', () => {
    expectCryptoError(() => parseKsn(Buffer.alloc(10)), 'INVALID_KSN');
    expectCryptoError(() => hostDeriveWorkingKey(bdk, Buffer.alloc(13), 'DATA_ENCRYPTION_ENCRYPT'), 'INVALID_KSN');
    for (const counter of [0, 0x1ffff, 0xffffffff]) {
      expectCryptoError(() => deriveWorkingKey(initialKey, ksnOf(counter), 'DATA_ENCRYPTION_ENCRYPT'), 'INVALID_KSN');
    }
  });

  it('rejects key usages that are not working-key usages', () => {
    for (const usage of ['KEY_DERIVATION', 'KEY_DERIVATION_INITIAL_KEY', 'toString', 'nonsense']) {
      expectCryptoError(() => deriveWorkingKey(initialKey, ksnOf(1), usage as WorkingKeyUsage), 'INVALID_KEY_USAGE');
    }
  });
});
