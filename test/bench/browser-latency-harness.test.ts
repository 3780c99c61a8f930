/**
 * The browser latency bench's harness, small: one entry typed on a PTY keypad through the store's popup in
 * Chromium, with a bare event between keys. Every digit key and every bare event must pair with a ● the page drew,
 * after it was sent, and no card digit may reach what the harness reports. No timing is asserted: speed lives in
 * `npm run bench`.
 */
import { describe, expect, it } from 'vitest';
import { pairStrokes, UnpairedStrokeError, type DotDraw, type Stroke } from '../../bench/latency/key-dot-pairing.js';
import { runBrowserLatency } from '../../bench/latency/latency-harness.js';
import { ALL_TEST_CARD_NUMBERS } from '../../device-sim/test-cards.js';
import { findCardNumbers } from '../capture/pan-scan.js';

describe('browser latency harness', () => {
  it('pairs each of an entry\'s 20 digit keys and 20 bare events with a ● drawn after it, on one clock', { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const report = await runBrowserLatency({ entries: 1, gapMs: { min: 20, max: 30 }, log: (line) => lines.push(line) });

    expect(report.keyToDot).toHaveLength(20); // 16 card digits + 4 expiry digits
    expect(report.floor).toHaveLength(20);
    for (const sample of [...report.keyToDot, ...report.floor]) {
      expect(sample.toPageMs).toBeGreaterThanOrEqual(0);
      expect(sample.toDrawMs).toBeGreaterThanOrEqual(sample.toPageMs);
    }
    const sent = report.keyToDot.map((s) => s.sentAt);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    // Both clocks are the machine's wall clock: they agree within the round trip that measured them.
    expect(Math.abs(report.clockOffsetMs)).toBeLessThanOrEqual(report.clockUncertaintyMs + 2);
    expect(findCardNumbers(JSON.stringify(report) + lines.join('\n'), ALL_TEST_CARD_NUMBERS)).toEqual([]);
  });
});

describe('pairStrokes', () => {
  const draw = (field: DotDraw['field'], digits: number, at: number): DotDraw => ({ field, digits, mutatedAt: at, drawnAt: at + 5 });

  it('pairs each stroke with the first draw of its field showing at least its count, merged draws included', () => {
    const strokes: Stroke[] = [
      { field: 'PAN', digits: 1, at: 100 }, { field: 'PAN', digits: 2, at: 200 }, { field: 'PAN', digits: 3, at: 210 },
      { field: 'EXPIRY', digits: 1, at: 400 },
    ];
    const draws = [draw('PAN', 0, 50), draw('PAN', 1, 110), draw('PAN', 3, 230), draw('PAN', 3, 300), draw('EXPIRY', 0, 310), draw('EXPIRY', 1, 420)];
    expect(pairStrokes(strokes, draws)).toEqual([
      { sentAt: 100, toPageMs: 10, toDrawMs: 15 },
      { sentAt: 200, toPageMs: 30, toDrawMs: 35 },
      { sentAt: 210, toPageMs: 20, toDrawMs: 25 },
      { sentAt: 400, toPageMs: 20, toDrawMs: 25 },
    ]);
  });

  it('refuses a stroke whose ● never came (a lost dot is an error, not a fast sample)', () => {
    expect(() => pairStrokes([{ field: 'EXPIRY', digits: 2, at: 0 }], [draw('EXPIRY', 1, 10), draw('PAN', 2, 20)])).toThrow(UnpairedStrokeError);
  });
});
