/**
 * PROTOCOL.md §7.2's derivation-data layout and working-key test vector: every row is what the keypad's DUKPT
 * code derives from the TEST-ONLY BDK, the three steps as the spec words them (written here on node:crypto alone)
 * give the same data key, and that key decrypts §5.13's example RESULT to a well-formed format 0x01 block.
 * Nothing of the decrypted block is printed: only its format, length and digit checks are asserted.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildKsn, createDerivationData, deriveInitialKey, deriveIntermediateKey, hostDeriveWorkingKey,
} from '../../device-sim/crypto/aes-dukpt.js';
import { loadTestKeys } from '../../device-sim/crypto/test-keys.js';
import { decodeFrame } from '../../protocol/index.js';

const spec = readFileSync(new URL('../../PROTOCOL.md', import.meta.url), 'utf8');
const section = spec.slice(spec.indexOf('### 7.2 Data key'), spec.indexOf('### 7.3'));
const rows = [...section.matchAll(/^\| ([^|]+?) \| (?:`([0-9a-f]{32})`)? *\| `([0-9a-f]{32})` \|$/gm)].map(([, step, data, key]) => ({
  step: step!, data, key: key!,
}));
const row = (prefix: string) => {
  const found = rows.find((r) => r.step.startsWith(prefix));
  if (found === undefined) throw new Error(`§7.2 vector has no row "${prefix}"`);
  return found;
};
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** §7.2's steps 1–3 from the spec's words, on node:crypto only (not the keypad's aes-dukpt.ts). */
function dataKeyAsSpecified(bdk: Buffer, ksn: Buffer): Buffer {
  const aes = (key: Buffer, data: Buffer) => createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(data);
  const dataBlock = (usage: number, tail: Buffer) => Buffer.concat([Buffer.from([0x01, 0x01, usage >> 8, usage & 0xff, 0x00, 0x02, 0x00, 0x80]), tail]);
  const counterTail = (counter: number) => {
    const tail = Buffer.alloc(8);
    ksn.copy(tail, 0, 4, 8);
    tail.writeUInt32BE(counter, 4);
    return tail;
  };
  let key = aes(bdk, dataBlock(0x8001, ksn.subarray(0, 8)));
  const counter = ksn.readUInt32BE(8);
  let working = 0;
  for (let bit = 31; bit >= 0; bit--) {
    if (((counter >>> bit) & 1) === 0) continue;
    working = (working | (1 << bit)) >>> 0;
    key = aes(key, dataBlock(0x8000, counterTail(working)));
  }
  return aes(key, dataBlock(0x3000, counterTail(counter)));
}

describe('PROTOCOL.md §7.2 working-key test vector', () => {
  const { bdk, initialKeyId, initialKey } = loadTestKeys();
  const ksn = buildKsn(initialKeyId, 0x2a);

  it('is the TEST-ONLY BDK and names the KSN of §5.13\'s RESULT example', () => {
    expect(rows.length).toBe(6);
    expect(row('BDK').key).toBe(hex(bdk));
    expect(row('data key').step).toContain(`KSN \`${hex(ksn)}\``);
  });

  it('lists the derivation data and keys the keypad derives, step by step', () => {
    expect(row('initial key').data).toBe(hex(createDerivationData('KEY_DERIVATION_INITIAL_KEY', initialKeyId, 0)));
    expect(row('initial key').key).toBe(hex(deriveInitialKey(bdk, initialKeyId)));
    expect(row('initial key').key).toBe(hex(initialKey));
    for (const counter of [0x20, 0x28, 0x2a]) {
      const r = row(`counter 0x${counter.toString(16).toUpperCase()}`);
      expect(r.data, r.step).toBe(hex(createDerivationData('KEY_DERIVATION', initialKeyId, counter)));
      expect(r.key, r.step).toBe(hex(deriveIntermediateKey(initialKey, buildKsn(initialKeyId, counter))));
    }
    expect(row('data key').data).toBe(hex(createDerivationData('DATA_ENCRYPTION_ENCRYPT', initialKeyId, 0x2a)));
    expect(row('data key').key).toBe(hex(hostDeriveWorkingKey(bdk, ksn, 'DATA_ENCRYPTION_ENCRYPT')));
  });

  it('follows from the steps as the spec words them, without the keypad\'s code', () => {
    expect(hex(dataKeyAsSpecified(bdk, ksn))).toBe(row('data key').key);
  });

  it('decrypts §5.13\'s example RESULT to a well-formed format 0x01 block', () => {
    const example = spec.slice(spec.indexOf('### 5.13 RESULT'));
    const hexBlock = /```hex\n([\s\S]*?)```/.exec(example)![1]!;
    const decoded = decodeFrame(Buffer.from(hexBlock.replace(/\s+/g, ''), 'hex'));
    if (!decoded.ok || decoded.frame.message.type !== 'RESULT') throw new Error('§5.13 example is not a RESULT');
    const result = decoded.frame.message;
    expect(hex(result.keySerialNumber)).toBe(hex(ksn));
    const block = Buffer.from(result.encryptedBlock);
    const decipher = createDecipheriv('aes-128-cbc', Buffer.from(row('data key').key, 'hex'), block.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(block.subarray(16)), decipher.final()]);
    expect(plain.length).toBe(32);
    expect(plain[0]).toBe(0x01);
    const panLength = plain[1]!;
    expect(panLength).toBeGreaterThanOrEqual(12);
    expect(panLength).toBeLessThanOrEqual(19);
    const nibbles = [...plain.subarray(2, 12)].flatMap((b) => [b >> 4, b & 0x0f]);
    expect(nibbles.slice(0, panLength).every((n) => n <= 9)).toBe(true);
    expect(nibbles.slice(panLength).every((n) => n === 0x0f)).toBe(true);
    // The last digits RESULT reveals are the PAN's own.
    expect(nibbles.slice(panLength - result.last.length, panLength).join('')).toBe(result.last);
    plain.fill(0);
  });
});
