import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cobsEncode } from '../../protocol/cobs.js';
import { formatCapture } from '../../protocol/capture/capture-writer.js';
import { ALL_TEST_CARD_NUMBERS, TEST_CARDS } from '../../device-sim/test-cards.js';
import { bcd, findCardNumbers } from './pan-scan.js';

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/captures');
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.jsonl')).sort();
// The 与信 test cards too: the store stand-ins take them through the same keypad.
const pans = ALL_TEST_CARD_NUMBERS;

function captureWith(bytes: Uint8Array): string {
  return formatCapture({
    header: { format: 'tenkey-capture', version: 1, protocolVersion: 1, captured: { tool: 'test', startedAt: '2026-11-26T00:00:00Z' } },
    records: [{ dir: 'd2h', t: 0, bytes }],
  });
}

describe('fixtures hold no card numbers', () => {
  it('the scanner finds a card number in ASCII, in BCD, inside a COBS-encoded frame body and in the text', () => {
    const visa = TEST_CARDS.visa;
    expect(findCardNumbers(captureWith(Buffer.from(`xx${visa}yy`)), [visa])).toContain(`${visa} as ASCII bytes`);
    expect(findCardNumbers(captureWith(Buffer.concat([Buffer.from([0x12]), bcd(visa)])), [visa])).toContain(`${visa} as BCD bytes`);
    // BCD with "00" digit pairs has zero bytes that COBS replaces: only the decoded body shows it.
    const withZeros = TEST_CARDS.unionpay;
    const body = Buffer.concat([Buffer.from([1, 1, 0, 0x85, 0, 8]), bcd(withZeros)]);
    const wire = Buffer.concat([cobsEncode(body), Buffer.from([0])]);
    expect(wire.includes(bcd(withZeros))).toBe(false);
    expect(findCardNumbers(captureWith(wire), [withZeros])).toContain(`${withZeros} as BCD bytes`);
    const noted = captureWith(Buffer.from([1])).replace('"tool":"test"', `"tool":"test","x":"${visa}"`);
    expect(findCardNumbers(noted, [visa])).toContain(`${visa} as text`);
    expect(findCardNumbers(captureWith(Buffer.from([1, 2, 3])), pans)).toEqual([]);
  });

  it('there is a fixture for every flow', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  it.each(fixtures)('%s holds ciphertext only', (name) => {
    expect(findCardNumbers(readFileSync(join(fixtureDir, name), 'utf8'), pans)).toEqual([]);
  });
});

