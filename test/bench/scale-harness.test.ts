/**
 * The scale benchmark's harness, small: a few keypads on their own PTYs with one driver each, a few entries each.
 * Every entry must come back with the brand and last digits of the TEST card its keypad typed, and the run must
 * leave no file descriptor behind. No timing is asserted: speed lives in `npm run bench`.
 */
import { describe, expect, it } from 'vitest';
import { openFdCount } from '../../bench/scale/fd-budget.js';
import { percentile } from '../../bench/scale/percentile.js';
import { expectedLast, runScale, SCALE_CARDS } from '../../bench/scale/scale-harness.js';

describe('scale harness', () => {
  it('runs every entry of every keypad to the right brand and last digits, and closes every fd it opened', async () => {
    const fdsBefore = openFdCount();
    const report = await runScale({ keypads: 3, entriesPerKeypad: 2, rounds: 2, warmupRounds: 1 });

    expect(report.keypads).toBe(3);
    expect(report.roundSeconds).toHaveLength(2);
    expect(report.failures).toEqual([]);
    expect(report.entries).toHaveLength(3 * 2 * 2);
    for (const entry of report.entries) {
      expect(entry.card).toBe(SCALE_CARDS[entry.keypad % SCALE_CARDS.length]);
      expect(entry.brand).toBe(entry.card);
      expect(entry.last).toBe(expectedLast(entry.card));
      expect(entry.latencyMs).toBeGreaterThan(0);
    }
    const perKeypad = report.keypads * 2;
    for (const round of [0, 1]) {
      expect(report.entries.filter((e) => e.round === round)).toHaveLength(perKeypad);
    }
    expect(new Set(report.entries.map((e) => e.brand))).toEqual(new Set(SCALE_CARDS.slice(0, 3)));
    expect(report.loop.utilization).toBeGreaterThan(0);
    expect(report.loop.utilization).toBeLessThanOrEqual(1);
    expect(report.loop.delayMaxMs).toBeGreaterThanOrEqual(report.loop.delayP99Ms);
    expect(openFdCount()).toBe(fdsBefore);
  });

  it.each(['worker', 'main'] as const)('with the keypads on the %s thread and either serial transport: right cards, CPU per entry counted, no fd left', async (keypadThread) => {
    const fdsBefore = openFdCount();
    for (const transport of ['tty-stream', 'serialport'] as const) {
      const report = await runScale({ keypads: 3, entriesPerKeypad: 2, rounds: 1, warmupRounds: 0, keypadThread, transport });
      expect(report.failures).toEqual([]);
      expect(report.entries).toHaveLength(6);
      for (const entry of report.entries) expect([entry.brand, entry.last]).toEqual([entry.card, expectedLast(entry.card)]);
      // Frames are counted on the keypads' side, wherever they run.
      expect(report.framesPerEntry).toBeGreaterThan(0);
      const { user, system, keypadThread: keypadCpu } = report.cpuMsPerEntry;
      expect(user + system).toBeGreaterThan(0);
      // Only a worker has a thread of its own to measure (on Linux, where /proc tells threads apart).
      if (keypadThread === 'main') expect(keypadCpu).toBeUndefined();
      else expect(keypadCpu === undefined || keypadCpu >= 0).toBe(true);
      expect(report.memoryPerKeypad.total.heapAndExternal).not.toBeNaN();
    }
    expect(openFdCount()).toBe(fdsBefore);
  });

  it('counts the frames an entry costs: fewer when the keypads merge DIGIT reports that outrun the line (§5.11)', async () => {
    const merged = await runScale({ keypads: 2, entriesPerKeypad: 2, rounds: 1, warmupRounds: 0 });
    const everyKey = await runScale({ keypads: 2, entriesPerKeypad: 2, rounds: 1, warmupRounds: 0, mergeKeyReports: false });
    // Every key reported: START_ENTRY, 4 STATUS, 22 KEY and the RESULT, each with its ACK, at the least.
    expect(everyKey.framesPerEntry).toBeGreaterThanOrEqual(2 * (1 + 4 + 22 + 1));
    expect(merged.framesPerEntry).toBeGreaterThan(0);
    expect(merged.framesPerEntry).toBeLessThan(everyKey.framesPerEntry / 2);
  });

  it('rejects a keypad count that is not a positive integer before opening anything', async () => {
    const fdsBefore = openFdCount();
    await expect(runScale({ keypads: 0, entriesPerKeypad: 1, rounds: 1 })).rejects.toThrow(RangeError);
    await expect(runScale({ keypads: 2.5, entriesPerKeypad: 1, rounds: 1 })).rejects.toThrow('keypads must be a positive integer');
    await expect(runScale({ keypads: 1, entriesPerKeypad: 1, rounds: 1, paceEntriesPerSecond: 0 })).rejects.toThrow(RangeError);
    expect(openFdCount()).toBe(fdsBefore);
  });

  it('says which limit is in the way when the fd limit cannot hold that many keypads', async () => {
    await expect(runScale({ keypads: 1_000_000, entriesPerKeypad: 1, rounds: 1 })).rejects.toThrow(/open files but the limit is \d+|PTYs but only/);
  });
});

describe('percentile', () => {
  it('is the nearest-rank sample: p50 of 1..100 is 50, p99 is 99, p100 is the maximum', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
  });
});
