import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../protocol/clock.js';
import { MAX_TIMER_MS } from '../protocol/constants.js';
import { SteppingClock } from '../testing/stepping-clock.js';
import { runTimersUntil, settleIo, type TimerLoopHooks } from '../testing/virtual-time.js';

/**
 * The time a replay runs in. `clock` goes to the code under test; `advanceTo(t)` brings it to capture time t
 * (ms since the capture started), `settle()` lets I/O in flight arrive before the next step.
 */
export interface ReplayTimebase {
  readonly clock: Clock;
  /** Capture time now (ms since the replay started). */
  elapsed(): number;
  advanceTo(t: number): Promise<void>;
  settle(): Promise<void>;
  /**
   * Something happened that may have started work: the replayer saw bytes or an event from the code under
   * test, or took a step itself. settle() and waitFor() look again after it.
   */
  noteActivity(): void;
  /**
   * Waits, without moving the replay's clock, until `condition` holds; false when it cannot hold any more
   * (in-process: once I/O is settled) or, over real I/O, once `realBudgetMs` of real time passed.
   * Replayers use it to keep cause before effect: a recorded answer is sent only once the code under test
   * said what it answers. A plain boolean when the answer is final at once (in-process, settled).
   */
  waitFor(condition: () => boolean, realBudgetMs: number): boolean | Promise<boolean>;
  /**
   * Waits for `promise`, letting time run (at most `maxMs` of it) so work that waits on timers can finish.
   * Resolves true when the promise settled, false when it was still pending after `maxMs`. Never rejects.
   * In virtual time nothing advances unless asked: awaiting a timer-driven promise bare would hang.
   */
  runUntilSettled(promise: Promise<unknown>, maxMs: number): Promise<boolean>;
}

function tracked(promise: Promise<unknown>): { readonly done: boolean } {
  const state = { done: false };
  promise.then(() => { state.done = true; }, () => { state.done = true; });
  return state;
}

/** The in-process fast paths' answer (a step mostly needs no promise of its own). */
const SETTLED = Promise.resolve();

/** Upper bound on one settle over real I/O (real ms), so a chatty peer cannot stall the replay. */
const MAX_SETTLE_MS = 250;

/**
 * Virtual time: timers fire one by one at their due times, with I/O settled between firings, so a session
 * with a 60 s timeout replays in the time its work takes. With `pace` (--speed N) the same virtual clock is
 * held to the wall clock N times faster: a timer or step due at capture time t waits until t / N real ms
 * after the start. The code under test meets the same sequence of events as without pace, so the verdict is
 * the same at every speed, however loaded the machine (real timers would fire late by a stall times N).
 *
 * In-process (`quietMs` 0, what replayCapture uses: the in-memory cable, no sockets) settling is one event-loop
 * turn: every nextTick and promise continuation runs before a setImmediate. The replayer notes activity when
 * bytes arrive and after each of its own steps, so a settle with nothing new since the last is free. Nothing
 * then can change until virtual time moves, so a cause wait is decided at once.
 *
 * Over real I/O (`quietMs` > 0: test/capture/generate-fixtures.ts records through a real PTY and socket)
 * bytes may still be in the thread pool or the kernel, so settle() waits until nothing was seen for
 * `quietMs` of real time, and waitFor() polls in real time.
 */
export class VirtualTimebase implements ReplayTimebase {
  readonly clock = new SteppingClock(0);
  #activity = 0;
  /** In-process: something happened since the last settle (a chunk arrived, a timer fired, the replayer acted). */
  #unsettled = true;
  readonly #startedAt = performance.now();
  /**
   * The shared timer loop (testing/virtual-time.ts), with this timebase's settling: a turn only when something
   * happened since the last; paced, each timer waits for its moment on the wall clock.
   */
  readonly #hooks: TimerLoopHooks;

  /**
   * @param quietMs 0 for in-process I/O; else real ms without activity after which real I/O is taken as arrived.
   * @param pace times the recorded speed to hold virtual time to (undefined: as fast as the work goes).
   */
  constructor(readonly quietMs = 0, readonly pace?: number) {
    this.#hooks = {
      settle: () => this.settle(),
      afterFire: () => { this.#unsettled = true; },
      ...(pace === undefined ? {} : { beforeFire: (due: number) => this.#reach(due) }),
    };
  }

  elapsed(): number {
    return this.clock.now();
  }

  noteActivity(): void {
    this.#activity++;
    this.#unsettled = true;
  }

  settle(): Promise<void> {
    if (this.quietMs > 0) return this.#settleRealIo();
    // One turn drains every nextTick and promise chain the last activity started; with nothing new since the
    // last settle there is nothing to drain (a turn is most of a step's cost: skip it).
    return this.#unsettled ? this.#turn() : SETTLED;
  }

  #turn(): Promise<void> {
    return settleIo().then(this.#turned);
  }

  // Activity noted during the turn (bytes arriving, the work they caused) drained in it too: only what happens
  // from here on needs another turn.
  readonly #turned = (): void => {
    this.#unsettled = false;
  };

  async #settleRealIo(): Promise<void> {
    const start = performance.now();
    let seen = this.#activity;
    let quietSince = start;
    // A few bare event-loop turns first: most in-process hops complete within them.
    for (let i = 0; i < 3; i++) await settleIo();
    while (performance.now() - start < MAX_SETTLE_MS) {
      if (this.#activity !== seen) {
        seen = this.#activity;
        quietSince = performance.now();
      } else if (performance.now() - quietSince >= this.quietMs) {
        return;
      }
      await sleep(0.5);
    }
  }

  waitFor(condition: () => boolean, realBudgetMs: number): boolean | Promise<boolean> {
    // In-process and settled (most cause waits): the answer is final now; no promise chain to build.
    if (this.quietMs === 0 && !this.#unsettled) return condition();
    return this.#waitFor(condition, realBudgetMs);
  }

  async #waitFor(condition: () => boolean, realBudgetMs: number): Promise<boolean> {
    await this.settle();
    if (this.quietMs === 0 || condition()) return condition();
    const start = performance.now();
    while (!condition()) {
      if (performance.now() - start >= realBudgetMs) return false;
      await sleep(0.5);
    }
    return true;
  }

  /** Paced: sleeps until capture time t is due on the wall clock. */
  async #reach(t: number): Promise<void> {
    if (this.pace === undefined) return;
    for (;;) {
      const wait = this.#startedAt + t / this.pace - performance.now();
      if (wait <= 0) return;
      // Node caps a timer at MAX_TIMER_MS (about 24.8 days): a longer wait is taken in pieces.
      await sleep(Math.min(wait, MAX_TIMER_MS));
    }
  }

  advanceTo(t: number): Promise<void> {
    // In-process, settled, unpaced, no timer due by t (most steps): only the clock moves.
    if (this.quietMs === 0 && this.pace === undefined && !this.#unsettled) {
      const due = this.clock.nextDueAt();
      if (due === undefined || due > t) {
        this.clock.setNow(t);
        return SETTLED;
      }
    }
    return this.#advanceTo(t);
  }

  async #advanceTo(t: number): Promise<void> {
    await runTimersUntil(this.clock, t, this.#hooks);
    if (this.pace !== undefined) await this.#reach(t);
    this.clock.setNow(t);
  }

  async runUntilSettled(promise: Promise<unknown>, maxMs: number): Promise<boolean> {
    const state = tracked(promise);
    // The caller just started `promise`: its first steps are pending work.
    this.#unsettled = true;
    await runTimersUntil(this.clock, this.clock.now() + maxMs, this.#hooks, () => state.done);
    return state.done;
  }
}
