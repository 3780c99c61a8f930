import { createCipheriv, createDecipheriv } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildKsn, DukptDevice, hostDeriveWorkingKey, isValidCounter, MAX_COUNTER } from '../../device-sim/crypto/aes-dukpt.js';
import { decryptCardBlock } from '../../device-sim/crypto/card-block-decrypt.js';
import { encryptCardBlock, encryptCardEntry, type CardEntry } from '../../device-sim/crypto/card-block.js';
import { CryptoError } from '../../device-sim/crypto/errors.js';
import { BDK, hex, INITIAL_KEY, INITIAL_KEY_ID } from './x9-24-3-vectors.js';
import { expectCryptoError } from './expect-crypto-error.js';

const bdk = hex(BDK);
const initialKeyId = hex(INITIAL_KEY_ID);
const initialKey = hex(INITIAL_KEY);
const dataKey = hex('000102030405060708090a0b0c0d0e0f');

const digitsOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0) - 0x30);
const textOf = (digits: ArrayLike<number>) => Array.from(digits).join('');
/** Fixed "random" source: IV = 00 01 … 0f, fill = 0xAA…; hands out fresh buffers and remembers them. */
function fixedRandom() {
  const handedOut: Buffer[] = [];
  const randomBytes = (size: number) => {
    const bytes = size === 16 ? Buffer.from(Array.from({ length: 16 }, (_, i) => i)) : Buffer.alloc(size, 0xaa);
    handedOut.push(bytes);
    return bytes;
  };
  return { randomBytes, handedOut };
}
function decryptRaw(key: Uint8Array, block: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-128-cbc', key, block.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([decipher.update(block.subarray(16)), decipher.final()]);
}

const panDigits = fc.uint8Array({ min: 0, max: 9, minLength: 12, maxLength: 19 });
const expiryDigits = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 99 }))
  .map(([mm, yy]) => digitsOf(`${String(mm).padStart(2, '0')}${String(yy).padStart(2, '0')}`));
const cardEntry = fc.record({ panDigits, expiry: fc.option(expiryDigits, { nil: undefined }) });
const validCounter = fc.nat({ max: MAX_COUNTER }).filter(isValidCounter);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('encryptCardBlock: the PROTOCOL.md §7 layout', () => {
  it('is IV || AES-128-CBC of format, length, left-aligned BCD PAN with F padding, BCD expiry, random fill', () => {
    const { randomBytes } = fixedRandom();
    const block = encryptCardBlock({ panDigits: digitsOf('4111111111111111'), expiry: digitsOf('1229') }, dataKey, randomBytes);
    expect(block).toHaveLength(48);
    expect(block.subarray(0, 16).toString('hex')).toBe('000102030405060708090a0b0c0d0e0f');
    expect(decryptRaw(dataKey, block).toString('hex')).toBe(
      '01' + '10' + '4111111111111111' + 'ffff' + '1229' + 'aa'.repeat(18));
  });

  it('pads an odd-length PAN with an F nibble and marks a missing expiry FFFF', () => {
    const { randomBytes } = fixedRandom();
    const block = encryptCardBlock({ panDigits: digitsOf('4222222222222') }, dataKey, randomBytes);
    expect(decryptRaw(dataKey, block).subarray(0, 14).toString('hex')).toBe('010d' + '4222222222222f' + 'ffffff' + 'ffff');
  });

  it('treats an empty expiry as absent', () => {
    const { randomBytes } = fixedRandom();
    const block = encryptCardBlock({ panDigits: digitsOf('4111111111111111'), expiry: new Uint8Array(0) }, dataKey, randomBytes);
    expect(decryptRaw(dataKey, block).subarray(12, 14).toString('hex')).toBe('ffff');
  });

  it('never encrypts the same card to the same block twice (random IV and fill)', () => {
    const entry = { panDigits: digitsOf('4111111111111111') };
    expect(encryptCardBlock(entry, dataKey).equals(encryptCardBlock(entry, dataKey))).toBe(false);
  });
});

describe('round trip: device encrypts, key holder decrypts', () => {
  it('gives back the PAN and expiry for any entry and counter (property)', () => {
    fc.assert(fc.property(cardEntry, validCounter, (entry, startCounter) => {
      const device = new DukptDevice(initialKey, initialKeyId, { startCounter });
      const { keySerialNumber, encryptedBlock } = encryptCardEntry(device, entry);
      expect(keySerialNumber.toString('hex')).toBe(buildKsn(initialKeyId, startCounter).toString('hex'));
      expect(decryptCardBlock(bdk, keySerialNumber, encryptedBlock)).toEqual({
        pan: textOf(entry.panDigits),
        expiry: entry.expiry === undefined ? null : textOf(entry.expiry),
      });
    }), { numRuns: 200 });
  });

  it('spends one DUKPT counter per entry', () => {
    const device = new DukptDevice(initialKey, initialKeyId, { startCounter: 0x1fffe });
    const entry = { panDigits: digitsOf('4111111111111111') };
    const ksns = [encryptCardEntry(device, entry), encryptCardEntry(device, entry)].map((r) => r.keySerialNumber.toString('hex'));
    expect(ksns).toEqual(['12345678901234560001fffe', '123456789012345600020000']);
  });

  it('fails with KEY_EXHAUSTED once the device has no counter left', () => {
    const device = new DukptDevice(initialKey, initialKeyId, { startCounter: MAX_COUNTER });
    const entry = { panDigits: digitsOf('4111111111111111') };
    encryptCardEntry(device, entry);
    expectCryptoError(() => encryptCardEntry(device, entry), 'KEY_EXHAUSTED');
  });
});

describe('tampering (the block has no MAC: this is what a changed bit does)', () => {
  const flipped = (block: Buffer, bit: number) => {
    const copy = Buffer.from(block);
    copy[bit >> 3]! ^= 1 << (bit & 7);
    return copy;
  };
  const encrypted = fc.tuple(cardEntry, validCounter).map(([entry, startCounter]) => ({
    entry,
    ...encryptCardEntry(new DukptDevice(initialKey, initialKeyId, { startCounter }), entry),
  }));

  it('a flip in IV bytes 0–13 or the first ciphertext block errors or yields a different card, never the original', () => {
    const bitInFirstBlockPath = fc.oneof(fc.integer({ min: 0, max: 14 * 8 - 1 }), fc.integer({ min: 16 * 8, max: 32 * 8 - 1 }));
    fc.assert(fc.property(encrypted, bitInFirstBlockPath, ({ entry, keySerialNumber, encryptedBlock }, bit) => {
      const original = { pan: textOf(entry.panDigits), expiry: entry.expiry === undefined ? null : textOf(entry.expiry) };
      let outcome: unknown;
      try {
        outcome = decryptCardBlock(bdk, keySerialNumber, flipped(encryptedBlock, bit));
      } catch (error) {
        expect(error).toBeInstanceOf(CryptoError);
        return;
      }
      expect(outcome).not.toEqual(original);
    }), { numRuns: 300 });
  });

  it('a flip in IV bytes 14–15 or the second ciphertext block only touches the random fill: it goes unnoticed', () => {
    const bitInFill = fc.oneof(fc.integer({ min: 14 * 8, max: 16 * 8 - 1 }), fc.integer({ min: 32 * 8, max: 48 * 8 - 1 }));
    fc.assert(fc.property(encrypted, bitInFill, ({ entry, keySerialNumber, encryptedBlock }, bit) => {
      expect(decryptCardBlock(bdk, keySerialNumber, flipped(encryptedBlock, bit)).pan).toBe(textOf(entry.panDigits));
    }), { numRuns: 100 });
  });
});

describe('no cleartext PAN leaves the device', () => {
  it('neither the block nor the KSN holds the PAN as ASCII, packed BCD or hex text (property)', () => {
    fc.assert(fc.property(cardEntry, validCounter, (entry, startCounter) => {
      const { keySerialNumber, encryptedBlock } = encryptCardEntry(new DukptDevice(initialKey, initialKeyId, { startCounter }), entry);
      const pan = textOf(entry.panDigits);
      const evenDigits = pan.slice(0, pan.length - (pan.length % 2));
      for (const bytes of [keySerialNumber, encryptedBlock]) {
        expect(bytes.includes(Buffer.from(pan, 'latin1'))).toBe(false);
        expect(bytes.includes(Buffer.from(evenDigits, 'hex'))).toBe(false);
        expect(bytes.toString('hex')).not.toContain(pan);
        expect(bytes.toString('hex')).not.toContain(evenDigits);
      }
    }), { numRuns: 200 });
  });

  it('never turns the PAN into a string (its string conversions are booby-trapped here)', () => {
    const trap = () => {
      throw new Error('PAN turned into a string');
    };
    const trapped = Object.assign(digitsOf('4111111111111111'), {
      toString: trap, join: trap, toLocaleString: trap, [Symbol.toPrimitive]: trap,
    });
    const { keySerialNumber, encryptedBlock } = encryptCardEntry(new DukptDevice(initialKey, initialKeyId), { panDigits: trapped });
    expect(decryptCardBlock(bdk, keySerialNumber, encryptedBlock).pan).toBe('4111111111111111');
  });
});

describe('plaintext and key wiping', () => {
  /** Every buffer encryptCardBlock allocates with Buffer.alloc is scratch for plaintext (the output is made by concat). */
  function watchAllocations() {
    const allocated: Buffer[] = [];
    const alloc = Buffer.alloc.bind(Buffer);
    vi.spyOn(Buffer, 'alloc').mockImplementation(((...args: Parameters<typeof Buffer.alloc>) => {
      const buffer = alloc(...args);
      allocated.push(buffer);
      return buffer;
    }) as typeof Buffer.alloc);
    return allocated;
  }

  it('zeroes the plaintext buffer and the random fill it used', () => {
    const { randomBytes, handedOut } = fixedRandom();
    const allocated = watchAllocations();
    encryptCardBlock({ panDigits: digitsOf('4111111111111111'), expiry: digitsOf('1229') }, dataKey, randomBytes);
    vi.restoreAllMocks();
    const plaintexts = allocated.filter((b) => b.length === 32);
    expect(plaintexts).toHaveLength(1);
    expect(plaintexts[0]!.every((b) => b === 0)).toBe(true);
    const fill = handedOut.find((b) => b.length === 18)!;
    expect(fill.every((b) => b === 0)).toBe(true);
  });

  it('zeroes them when encryption fails half-way too', () => {
    const { randomBytes, handedOut } = fixedRandom();
    const allocated = watchAllocations();
    vi.spyOn(Buffer, 'concat').mockImplementationOnce(() => {
      throw new Error('injected failure after the plaintext was written');
    });
    expect(() => encryptCardBlock({ panDigits: digitsOf('4111111111111111') }, dataKey, randomBytes))
      .toThrow('injected failure');
    vi.restoreAllMocks();
    expect(allocated.filter((b) => b.length === 32).every((b) => b.every((x) => x === 0))).toBe(true);
    expect(handedOut.find((b) => b.length === 18)!.every((b) => b === 0)).toBe(true);
  });

  it('encryptCardEntry zeroes the transaction key after use', () => {
    const device = new DukptDevice(initialKey, initialKeyId);
    const next = vi.spyOn(device, 'nextTransaction');
    encryptCardEntry(device, { panDigits: digitsOf('4111111111111111') });
    const { dataEncryptionKey } = next.mock.results[0]!.value as { dataEncryptionKey: Buffer };
    expect(dataEncryptionKey).toHaveLength(16);
    expect(dataEncryptionKey.every((b) => b === 0)).toBe(true);
  });
});

describe('typed errors on bad input', () => {
  const pan16 = digitsOf('4111111111111111');

  it.each([
    ['11 digits', digitsOf('41111111111')],
    ['20 digits', digitsOf('41111111111111111111')],
    ['a value over 9', Uint8Array.from([...pan16.subarray(0, 15), 10])],
  ])('refuses a PAN of %s with INVALID_PAN, naming no digit', (_, panDigits) => {
    const error = expectCryptoError(() => encryptCardBlock({ panDigits }, dataKey), 'INVALID_PAN');
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toMatch(/4111/);
  });

  it.each([['3 digits', '122'], ['month 00', '0029'], ['month 13', '1329'], ['a value over 9', '12:9']])(
    'refuses an expiry of %s with INVALID_EXPIRY', (_, text) => {
      expectCryptoError(() => encryptCardBlock({ panDigits: pan16, expiry: digitsOf(text) }, dataKey), 'INVALID_EXPIRY');
    });

  it('refuses a data key that is not AES-128', () => {
    expectCryptoError(() => encryptCardBlock({ panDigits: pan16 }, Buffer.alloc(15)), 'INVALID_KEY');
  });

  it('does not spend a DUKPT counter on an entry it refuses', () => {
    const device = new DukptDevice(initialKey, initialKeyId);
    expectCryptoError(() => encryptCardEntry(device, { panDigits: digitsOf('4111') }), 'INVALID_PAN');
    expect(device.counter).toBe(1);
  });

  describe('decryptCardBlock', () => {
    const ksn = buildKsn(initialKeyId, 42);
    /** A block whose plaintext is exactly `plaintextHex`, encrypted the §7 way under the KSN's data key. */
    const craft = (plaintextHex: string) => {
      const key = hostDeriveWorkingKey(bdk, ksn, 'DATA_ENCRYPTION_ENCRYPT');
      const iv = Buffer.alloc(16, 7);
      const cipher = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
      return Buffer.concat([iv, cipher.update(hex(plaintextHex)), cipher.final()]);
    };
    const fill = '00'.repeat(18);

    it('reads a crafted valid block (the crafting is right)', () => {
      expect(decryptCardBlock(bdk, ksn, craft(`0110${'4111111111111111'}ffff1229${fill}`)))
        .toEqual({ pan: '4111111111111111', expiry: '1229' });
    });

    // Titled by what is wrong with the block, never by the plaintext (it holds a card number).
    it.each([
      ['BAD_BLOCK_FORMAT', 'format byte 02', `0210${'4111111111111111'}ffff1229${fill}`],
      ['BAD_PAN_LENGTH', 'an 11-digit PAN', `010b${'41111111111fffffffff'}ffff${fill}`],
      ['BAD_PAN_LENGTH', 'a 20-digit PAN', `0114${'41111111111111111111'}ffff${fill}`],
      ['BAD_PAN_BCD', 'a PAN nibble over 9', `0110${'41111111111111a1'}ffff1229${fill}`],
      ['BAD_PAN_BCD', 'a PAN pad nibble that is not f', `0110${'4111111111111111'}ff7f1229${fill}`],
      ['BAD_EXPIRY_BCD', 'month 13', `0110${'4111111111111111'}ffff1329${fill}`],
      ['BAD_EXPIRY_BCD', 'expiry year ff', `0110${'4111111111111111'}ffff12ff${fill}`],
    ] as const)('reports %s for %s', (code, _what, plaintextHex) => {
      expectCryptoError(() => decryptCardBlock(bdk, ksn, craft(plaintextHex)), code);
    });

    it('reports BAD_BLOCK_LENGTH for blocks that are not 48 bytes', () => {
      for (const length of [0, 32, 47, 49, 64]) {
        expectCryptoError(() => decryptCardBlock(bdk, ksn, Buffer.alloc(length)), 'BAD_BLOCK_LENGTH');
      }
    });

    it('reports a typed error for a wrong BDK, a wrong counter or a malformed KSN', () => {
      // Fixed IV and fill: what a wrong key decrypts to is then fixed too (a random one passes the format byte 1 time in 256).
      const { keySerialNumber, encryptedBlock } =
        encryptCardEntry(new DukptDevice(initialKey, initialKeyId), { panDigits: pan16 }, fixedRandom().randomBytes);
      expectCryptoError(() => decryptCardBlock(Buffer.alloc(16, 1), keySerialNumber, encryptedBlock), 'BAD_BLOCK_FORMAT');
      expectCryptoError(() => decryptCardBlock(bdk, buildKsn(initialKeyId, 2), encryptedBlock), 'BAD_BLOCK_FORMAT');
      expectCryptoError(() => decryptCardBlock(bdk, keySerialNumber.subarray(0, 11), encryptedBlock), 'INVALID_KSN');
      expectCryptoError(() => decryptCardBlock(bdk, buildKsn(initialKeyId, 0), encryptedBlock), 'INVALID_KSN');
      expectCryptoError(() => decryptCardBlock(Buffer.alloc(8), keySerialNumber, encryptedBlock), 'INVALID_KEY');
    });
  });
});
