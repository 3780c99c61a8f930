/**
 * What the scale case prints about one run: throughput, latency percentiles (a failed entry counts as never
 * finishing), Little's law for the closed loop, and the target verdict. Pure: no PTYs, testable on its own.
 */
import { median } from '../record.js';
import { percentile } from './percentile.js';
import type { ScaleReport } from './scale-harness.js';

export interface ScaleSummary {
  keypads: number;
  /** Finished entries per second (median over rounds). */
  entriesPerSecond: number;
  /** START_ENTRY→RESULT percentiles (ms) over every measured entry; a failed one counts as Infinity. */
  p50: number;
  p99: number;
  /** Mean over the finished entries (ms). */
  meanMs: number;
  failed: number;
  report: ScaleReport;
}

export function summarize(report: ScaleReport): ScaleSummary {
  const finished = report.entries.map((e) => e.latencyMs);
  // A failed entry never reached its RESULT: leaving it out would make an overloaded run look faster.
  const all = [...finished, ...report.failures.map(() => Number.POSITIVE_INFINITY)];
  const finishedIn = (round: number) => report.entries.filter((e) => e.round === round).length;
  return {
    keypads: report.keypads,
    entriesPerSecond: median(report.roundSeconds.map((seconds, round) => finishedIn(round) / seconds)),
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    meanMs: finished.length === 0 ? Number.NaN : finished.reduce((sum, ms) => sum + ms, 0) / finished.length,
    failed: report.failures.length,
    report,
  };
}

/**
 * Little's law for the closed loop: every one of `keypads` is always in an entry, so the mean START_ENTRY→RESULT
 * latency is keypads ÷ throughput (ms), whatever the protocol does: a queue, not a per-entry latency.
 */
export function littlesLawMs(keypads: number, entriesPerSecond: number): number {
  return (keypads / entriesPerSecond) * 1000;
}

/** 'met' only for a measured p99 under the target; NaN (nothing measured) or Infinity (entries failed) is not. */
export function verdict(p99Ms: number, targetMs: number): 'met' | 'NOT met' {
  return Number.isFinite(p99Ms) && p99Ms < targetMs ? 'met' : 'NOT met';
}
