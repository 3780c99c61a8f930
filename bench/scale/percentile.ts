/** Nearest-rank percentiles of latency samples (p50 = median of the samples, p99 = the 99th-percentile sample). */

/** The smallest sample with at least `p` percent of the samples at or below it; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}
