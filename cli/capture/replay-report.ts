import type { CaptureOutcome } from '../../protocol/capture/capture-format.js';
import { formatFrameDiff, type FrameDiff } from '../../protocol/capture/frame-compare.js';

/** What one replay found. `ok` only when every recorded frame of the side under test was reproduced. */
export interface ReplayReport {
  against: 'host' | 'device';
  ok: boolean;
  /** Recorded frames of the direction the code under test sends. */
  compared: number;
  diffs: FrameDiff[];
  /** Problems that are not one frame: an outcome that differs, a key script that ran out, … */
  notes: string[];
  /** Time span of the capture (ms). */
  recordedDurationMs: number;
  /** Real time the replay took (ms). */
  wallMs: number;
  /** The capture lacks what this kind of replay needs (e.g. no HELLO, no key script). */
  unreplayable: boolean;
}

/** The application-level result of a readCard, in the vocabulary of `scenario.outcome`. */
export function describeOutcome(outcome: CaptureOutcome | undefined): string {
  if (outcome === undefined) return 'none';
  switch (outcome.kind) {
    case 'card': return `card ${outcome.brand} …${outcome.last}`;
    case 'error': return `error ${outcome.code}`;
    case 'cancelled': return 'cancelled';
  }
}

export function formatReplayReport(report: ReplayReport, name: string): string[] {
  const lines: string[] = [];
  const side = report.against === 'host' ? 'h2d frames from the host driver' : 'd2h frames from the simulator';
  for (const diff of report.diffs) lines.push(...formatFrameDiff(diff));
  for (const note of report.notes) lines.push(`✗ ${note}`);
  const verdict = report.ok ? '✓' : '✗';
  lines.push(
    `${verdict} ${name}: against ${report.against}, ${report.compared} recorded ${side}, `
    + `${report.diffs.length} difference(s)${report.notes.length ? `, ${report.notes.length} other problem(s)` : ''}; `
    + `${(report.recordedDurationMs / 1000).toFixed(3)} s recorded, replayed in ${(report.wallMs / 1000).toFixed(3)} s`,
  );
  return lines;
}
