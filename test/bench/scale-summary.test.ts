/** What the scale case prints: percentiles that count failed entries, Little's law, and the target verdict. */
import { describe, expect, it } from 'vitest';
import { littlesLawMs, summarize, verdict } from '../../bench/scale/scale-summary.js';
import type { ScaleEntry, ScaleReport } from '../../bench/scale/scale-harness.js';

function report(latencies: number[], failed: number, roundSeconds = [2]): ScaleReport {
  const entries: ScaleEntry[] = latencies.map((latencyMs, i) => ({
    keypad: i % 4, round: 0, card: 'visa', brand: 'visa', last: '000', latencyMs,
  }));
  return {
    keypads: 4,
    entries,
    failures: Array.from({ length: failed }, (_, i) => ({ keypad: i % 4, round: 0, cause: 'LINK_DEAD' })),
    roundSeconds,
    framesPerEntry: 20,
    cpuMsPerEntry: { user: 1, system: 0.5, mainThread: 1, otherThreads: 0.5 },
    loop: { delayP50Ms: 1, delayP99Ms: 2, delayMaxMs: 3, utilization: 0.5 },
    memoryPerKeypad: { total: { heapAndExternal: 0, rss: 0 }, driver: { heapAndExternal: 0, rss: 0 }, collected: false },
  };
}

describe('scale summary', () => {
  it('reports finished entries per second and nearest-rank percentiles of their latency', () => {
    const summary = summarize(report(Array.from({ length: 100 }, (_, i) => i + 1), 0));
    expect(summary.entriesPerSecond).toBe(50);
    expect(summary.p50).toBe(50);
    expect(summary.p99).toBe(99);
    expect(summary.meanMs).toBe(50.5);
    expect(summary.failed).toBe(0);
  });

  it('counts a failed entry as one that never finished, so failures cannot flatter the p99', () => {
    const summary = summarize(report(Array.from({ length: 98 }, () => 10), 2));
    expect(summary.p50).toBe(10);
    expect(summary.p99).toBe(Number.POSITIVE_INFINITY);
    expect(summary.failed).toBe(2);
    expect(verdict(summary.p99, 50)).toBe('NOT met');
  });

  it("gives Little's law for a closed loop: N keypads ÷ throughput", () => {
    expect(littlesLawMs(256, 200)).toBe(1280);
    expect(littlesLawMs(1, 100)).toBe(10);
  });

  it('judges the target met only for a measured p99 under it', () => {
    expect(verdict(49.9, 50)).toBe('met');
    expect(verdict(50, 50)).toBe('NOT met');
    expect(verdict(Number.NaN, 50)).toBe('NOT met');
  });
});
