/**
 * Cause before effect, and where a replay stops. Before each step the replayer waits (in real time, the clock
 * of the code under test stands still) until the code under test has sent every frame recorded before that
 * step. A run on track gets there within microseconds to milliseconds: the wait only absorbs I/O still in
 * flight and a loaded machine, so its budget is generous. When the frames do not come within it, the run has
 * diverged from the recording: the replay stops there (no further steps, no further real-time waits) and
 * reports what it saw up to that point. So a diverged replay costs one budget of real time, not one per step.
 */
import { waitUntil } from './replay-timebase.js';

/** Real ms the code under test gets to send frames recorded before a step; past it the run has diverged. */
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

  /** Set once a wait ran out: the replay stops at that step. */
  get diverged(): Divergence | undefined {
    return this.#diverged;
  }

  /**
   * Waits until `sent()` reaches `expected`; false (and `diverged` set) when it did not within the budget.
   * Count intact frames only: a frame damaged on the line (a seeded fault) may be the first copy of the very
   * frame the step causes, and cannot be told apart from it.
   */
  async reached(sent: () => number, expected: number, step: { t: number; at: number }): Promise<boolean> {
    if (this.#diverged) return false;
    if (await waitUntil(() => sent() >= expected, CAUSE_WAIT_MS)) return true;
    this.#diverged = { t: step.t, at: step.at, expected, sent: sent() };
    return false;
  }
}

/** The report note for a replay that stopped at its first divergence. */
export function divergenceNote(d: Divergence, sender: string): string {
  return `replay stopped at ${d.t.toFixed(3)} ms: ${sender} had sent ${d.sent} of the ${d.expected} intact frames recorded before this point `
    + `(none more within ${CAUSE_WAIT_MS / 1000} s of real time); the rest of the capture was not replayed`;
}
