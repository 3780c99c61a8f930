/**
 * Cause before effect, and where a replay stops. Before each step the replayer waits (the clock of the code
 * under test stands still) until the code under test has sent every frame recorded before that step. The code
 * runs in-process, so once its I/O has settled the answer is final: the wait costs no real time. When the frames
 * have not come, the run has diverged from the recording: the replay stops there (no further steps) and reports
 * what it saw up to that point.
 */
import type { CapturedFrame } from '../protocol/capture/capture-frames.js';
import type { ReplayTimebase } from './replay-timebase.js';

/** Over real I/O only (a timebase with quietMs > 0): real ms the code under test gets to send frames recorded before a step. */
export const CAUSE_WAIT_MS = 2000;

export interface Divergence {
  /** Capture time (ms) of the step that could not be taken. */
  t: number;
  /** Its place in the recording (a record index; Infinity for the end): frames recorded before it were due. */
  at: number;
  /** Intact frames recorded before that step, and how many the code under test had sent. */
  expected: number;
  sent: number;
}

export class CauseWaits {
  #diverged: Divergence | undefined;

  constructor(private readonly timebase: ReplayTimebase) {}

  /** Set once a wait ran out: the replay stops at that step. */
  get diverged(): Divergence | undefined {
    return this.#diverged;
  }

  /**
   * Waits until `sent()` reaches `expected`; false (and `diverged` set) when it did not.
   * Count intact frames only: a frame damaged on the line (a seeded fault) may be the first copy of the very
   * frame the step causes, and cannot be told apart from it.
   */
  reached(sent: () => number, expected: number, step: { t: number; at: number }): boolean | Promise<boolean> {
    if (this.#diverged) return false;
    const holds = this.timebase.waitFor(() => sent() >= expected, CAUSE_WAIT_MS);
    // In-process and settled (most steps) the answer comes at once: no promise chain per step.
    return typeof holds === 'boolean' ? this.#verdict(holds, sent, expected, step) : holds.then((h) => this.#verdict(h, sent, expected, step));
  }

  #verdict(holds: boolean, sent: () => number, expected: number, step: { t: number; at: number }): boolean {
    if (!holds) this.#diverged = { t: step.t, at: step.at, expected, sent: sent() };
    return holds;
  }
}

/** The report note for a replay that stopped at its first divergence. */
export function divergenceNote(d: Divergence, sender: string): string {
  return `replay stopped at ${d.t.toFixed(3)} ms: ${sender} had sent ${d.sent} of the ${d.expected} intact frames recorded before this point `
    + '(none more once its work had settled); the rest of the capture was not replayed';
}

/**
 * How many intact frames of `recorded` end before a step's place `at` (a record index, a half index, or
 * Infinity): what the code under test must have sent before that step. Sorted once, then a binary search per
 * step (a 300-second capture has a thousand steps).
 */
export function intactFramesBefore(recorded: readonly CapturedFrame[]): (at: number) => number {
  const ends = recorded.filter((f) => f.result.ok).map((f) => f.lastRecord).sort((a, b) => a - b);
  return (at) => {
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
