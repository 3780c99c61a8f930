/**
 * The TEST-ONLY DUKPT keys in fixtures/keys/ (the public X9.24-3 sample BDK), for the simulator, the test
 * token service and tests. Found from the package root, so it works from source (tsx/vitest) and from dist/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../protocol/package-root.js';
import { DukptDevice, DUKPT_KEY_SIZE, INITIAL_KEY_ID_SIZE, type DukptDeviceOptions } from './aes-dukpt.js';

export const TEST_KEYS_FILE = join('fixtures', 'keys', 'TEST-ONLY-bdk.json');

export interface TestKeys {
  warning: string;
  /** 16 bytes. */
  bdk: Buffer;
  /** 8 bytes (= protocol keySetId). */
  initialKeyId: Buffer;
  /** 16 bytes, derived from bdk + initialKeyId (test/crypto checks it). */
  initialKey: Buffer;
}

function hexField(json: Record<string, unknown>, field: string, size: number): Buffer {
  const value = json[field];
  if (typeof value !== 'string' || !/^[0-9a-fA-F]*$/.test(value) || value.length !== size * 2) {
    throw new Error(`${TEST_KEYS_FILE}: "${field}" must be ${size} bytes of hex`);
  }
  return Buffer.from(value, 'hex');
}

export function loadTestKeys(): TestKeys {
  const json = JSON.parse(readFileSync(join(packageRoot(), TEST_KEYS_FILE), 'utf8')) as Record<string, unknown>;
  return {
    warning: typeof json.warning === 'string' ? json.warning : '',
    bdk: hexField(json, 'bdk', DUKPT_KEY_SIZE),
    initialKeyId: hexField(json, 'initialKeyId', INITIAL_KEY_ID_SIZE),
    initialKey: hexField(json, 'initialKey', DUKPT_KEY_SIZE),
  };
}

/**
 * A device loaded with the test initial key. A start counter (default 1) lets tests start near exhaustion; the
 * options also take a counter memory (device-sim/firmware/counter-file.ts).
 */
export function createTestDukptDevice(options: number | DukptDeviceOptions = {}): DukptDevice {
  const { bdk, initialKey, initialKeyId } = loadTestKeys();
  bdk.fill(0);
  try {
    return new DukptDevice(initialKey, initialKeyId, typeof options === 'number' ? { startCounter: options } : options);
  } finally {
    initialKey.fill(0); // the device keeps its own copy
  }
}
