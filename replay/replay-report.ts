import type { CaptureOutcome } from '../protocol/capture/capture-format.js';
import { compareFrameSequences, formatFrameDiff, ReplayBindings, type FrameDiff } from '../protocol/capture/frame-compare.js';
import type { CapturedFrame } from '../protocol/capture/capture-frames.js';

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

/** What a replayer hands over once its run is over; {@link buildReport} compares and summarises it. */
export interface FinishedReplay {
  against: 'host' | 'device';
  /** Recorded frames of the side under test that the run was meant to reproduce. */
  recorded: CapturedFrame[];
  /** Frames the real code sent. */
  actual: CapturedFrame[];
  notes: string[];
  recordedDurationMs: number;
  /** performance.now() when the replay started. */
  started: number;
}

export function buildReport(run: FinishedReplay): ReplayReport {
  const diffs = compareFrameSequences(run.recorded, run.actual, new ReplayBindings());
  return {
    against: run.against,
    ok: diffs.length === 0 && run.notes.length === 0,
    compared: run.recorded.length,
    diffs,
    notes: run.notes,
    recordedDurationMs: run.recordedDurationMs,
    wallMs: performance.now() - run.started,
    unreplayable: false,
  };
}

/** The report for a capture that lacks what this kind of replay needs. */
export function unreplayableReport(against: 'host' | 'device', compared: number, note: string, recordedDurationMs: number): ReplayReport {
  return { against, ok: false, compared, diffs: [], notes: [note], recordedDurationMs, wallMs: 0, unreplayable: true };
}
