/**
 * The token service's replay protection (PROTOCOL.md §7.1, receiver side): per keypad (the initial key ID in the
 * KSN) it keeps the highest transaction counter it accepted and refuses a block whose counter is not above it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildKsn, deriveInitialKey, DukptDevice } from '../../device-sim/crypto/aes-dukpt.js';
import { encryptCardEntry } from '../../device-sim/crypto/card-block.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { AcceptedKsns, AcceptedKsnsFileError } from '../../payment-sim/accepted-ksns.js';
import { AuthorizationService, TokenService } from '../../payment-sim/index.js';
import { BDK, hex, INITIAL_KEY, INITIAL_KEY_ID } from '../crypto/x9-24-3-vectors.js';
import { codeOf } from './payment-error-code.js';

const OTHER_KEYPAD_ID = '1234567890ABCDEF';
const digitsOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0) - 0x30);
const keypad = (startCounter = 1, id = INITIAL_KEY_ID) =>
  new DukptDevice(id === INITIAL_KEY_ID ? hex(INITIAL_KEY) : deriveInitialKey(hex(BDK), hex(id)), hex(id), { startCounter });
/** A RESULT's fields (hex) for a card encrypted by `device`. */
function resultOf(device: DukptDevice, pan: string = TEST_CARDS.visa) {
  const block = encryptCardEntry(device, { panDigits: digitsOf(pan), expiry: digitsOf('1230') });
  return { keySerialNumber: block.keySerialNumber.toString('hex'), encryptedBlock: block.encryptedBlock.toString('hex') };
}
const tokenService = (acceptedKsns?: AcceptedKsns) => new TokenService(hex(BDK), acceptedKsns === undefined ? {} : { acceptedKsns });

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});
function tempFile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenkey-accepted-'));
  dirs.push(dir);
  return join(dir, name);
}

describe('TokenService replay protection', () => {
  it('refuses a block tokenized twice with REPLAYED_KSN: one token, one 与信 at most', () => {
    const tokens = tokenService();
    const result = resultOf(keypad());
    const { token } = tokens.tokenize(result);
    expect(codeOf(() => tokens.tokenize(result))).toBe('REPLAYED_KSN');
    expect(codeOf(() => tokens.tokenize({ ...result, keySerialNumber: result.keySerialNumber.toUpperCase() }))).toBe('REPLAYED_KSN');
    expect(tokens.size).toBe(1);
    expect(new AuthorizationService(tokens).authorize(token, { amount: 100 }).outcome).toBe('approved');
  });

  it('refuses a lower counter from the same keypad, and a counter equal to the highest', () => {
    const tokens = tokenService();
    const early = resultOf(keypad(5));
    tokens.tokenize(resultOf(keypad(9)));
    expect(codeOf(() => tokens.tokenize(early))).toBe('REPLAYED_KSN');
    expect(codeOf(() => tokens.tokenize(resultOf(keypad(9))))).toBe('REPLAYED_KSN');
    expect(tokens.tokenize(resultOf(keypad(10))).brand).toBe('visa');
  });

  it("keeps each keypad's counter apart: another keypad's lower counter is accepted", () => {
    const tokens = tokenService();
    tokens.tokenize(resultOf(keypad(100)));
    expect(tokens.tokenize(resultOf(keypad(1, OTHER_KEYPAD_ID))).last3).toBe(TEST_CARDS.visa.slice(-3));
    expect(codeOf(() => tokens.tokenize(resultOf(keypad(50))))).toBe('REPLAYED_KSN');
    expect(tokens.tokenize(resultOf(keypad(2, OTHER_KEYPAD_ID))).brand).toBe('visa');
  });

  it('lets only a block that decrypts move the mark: a forged KSN with a high counter locks nobody out', () => {
    const accepted = new AcceptedKsns();
    const tokens = tokenService(accepted);
    const forged = { keySerialNumber: buildKsn(hex(INITIAL_KEY_ID), 0xffff0000).toString('hex'), encryptedBlock: resultOf(keypad(7)).encryptedBlock };
    expect(codeOf(() => tokens.tokenize(forged))).toBe('UNREADABLE_CARD');
    expect(accepted.highestOf(INITIAL_KEY_ID)).toBeUndefined();
    tokens.tokenize(resultOf(keypad(8)));
    expect(accepted.highestOf(INITIAL_KEY_ID)).toBe(8);
  });

  it('with a file, a restart does not reopen the window: the new service refuses what the old one accepted', () => {
    const file = tempFile('accepted-ksns.json');
    const result = resultOf(keypad(3));
    tokenService(new AcceptedKsns({ file })).tokenize(result);
    const restarted = tokenService(new AcceptedKsns({ file }));
    expect(codeOf(() => restarted.tokenize(result))).toBe('REPLAYED_KSN');
    expect(restarted.tokenize(resultOf(keypad(4))).brand).toBe('visa');
    expect(new AcceptedKsns({ file }).highestOf(INITIAL_KEY_ID)).toBe(4);
  });

  it.each([
    ['not JSON', '{'],
    ['another format', JSON.stringify({ format: 'x', highest: {} })],
    ['a counter that is no number', JSON.stringify({ format: 'tenkey-accepted-ksns/1', highest: { [INITIAL_KEY_ID.toLowerCase()]: 'many' } })],
  ])('refuses to start on a damaged record (%s) rather than forget what it accepted', (_what, content) => {
    const file = tempFile('accepted-ksns.json');
    writeFileSync(file, content);
    expect(() => new AcceptedKsns({ file })).toThrow(AcceptedKsnsFileError);
  });
});
