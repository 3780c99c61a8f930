import { describe, expect, it } from 'vitest';
import { deriveInitialKey, hostDeriveWorkingKey } from '../../device-sim/crypto/aes-dukpt.js';
import { CryptoError } from '../../device-sim/crypto/errors.js';
import { createTestDukptDevice, loadTestKeys } from '../../device-sim/crypto/test-keys.js';
import { BDK, INITIAL_KEY_ID } from './x9-24-3-vectors.js';

describe('TEST-ONLY keys (fixtures/keys/TEST-ONLY-bdk.json)', () => {
  it('are the public X9.24-3 sample BDK and initial key ID, and say so', () => {
    const keys = loadTestKeys();
    expect(keys.bdk.toString('hex')).toBe(BDK.toLowerCase());
    expect(keys.initialKeyId.toString('hex')).toBe(INITIAL_KEY_ID.toLowerCase());
    expect(keys.warning).toMatch(/^TEST ONLY/);
  });

  it('store the initial key that the BDK and initial key ID derive', () => {
    const { bdk, initialKeyId, initialKey } = loadTestKeys();
    expect(initialKey).toEqual(deriveInitialKey(bdk, initialKeyId));
  });

  it('load a device whose first transaction the BDK holder can follow', () => {
    const { ksn, dataEncryptionKey } = createTestDukptDevice().nextTransaction();
    expect(ksn.toString('hex')).toBe('123456789012345600000001');
    expect(dataEncryptionKey).toEqual(hostDeriveWorkingKey(loadTestKeys().bdk, ksn, 'DATA_ENCRYPTION_ENCRYPT'));
  });

  it('load a device at a chosen counter, refusing invalid ones', () => {
    expect(createTestDukptDevice(0xffff0000).nextTransaction().counter).toBe(0xffff0000);
    expect(() => createTestDukptDevice(0x1ffff)).toThrow(CryptoError);
  });
});
