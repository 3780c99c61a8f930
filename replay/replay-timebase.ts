import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../protocol/clock.js';
import { SteppingClock } from '../testing/stepping-clock.js';

/**
 * The time a replay runs in. `clock` goes to the code under test; `advanceTo(t)` brings it to capture time t
 * (ms since the capture started), `settle()` lets real I/O in flight arrive before the next step.
 */
export interface ReplayTimebase {
  readonly clock: Clock;
  /** Capture time now (ms since the replay started). */
  elapsed(): number;
  advanceTo(t: number): Promise<void>;
  settle(): Promise<void>;
  /** The replayer saw bytes or an event from the code under test: settle() waits for quiet after this. */
  noteActivity(): void;
  /**
   * Waits for `promise`, letting time run (at most `maxMs` of it) so work that waits on timers can finish.
   * Resolves true when the promise settled, false when it was still pending after `maxMs`. Never rejects.
   * In virtual time nothing advances unless asked: awaiting a timer-driven promise bare would hang.
   */
  runUntilSettled(promise: Promise<unknown>, maxMs: number): Promise<boolean>;
}

/**
 * Waits (in real time, without moving the replay's clock) until `condition` holds or `realBudgetMs` passed.
 * Replayers use it to keep cause before effect: a recorded answer is sent only once the code under test said
 * what it answers. Resolves with the condition's final value.
 */
export async function waitUntil(condition: () => boolean, realBudgetMs: number): Promise<boolean> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start >= realBudgetMs) return false;
    await sleep(0.5);
  }
  return true;
}

function tracked(promise: Promise<unknown>): { readonly done: boolean } {
  const state = { done: false };
  promise.then(() => { state.done = true; }, () => { state.done = true; });
  return state;
}

/** Upper bound on one settle (real ms), so a chatty peer cannot stall the replay. */
const MAX_SETTLE_MS = 250;

/**
 * Virtual time: timers fire one by one at their due times, with real I/O settled between firings, so a
 * session with a 60 s timeout replays in milliseconds.
 *
 * Settling is the one real-time wait: bytes a component wrote may still be in the thread pool (serialport
 * writes through fs.write) or in the kernel, and must arrive before virtual time moves on, or a 250 ms ACK
 * timeout would fire "before" the ACK that is only microseconds away in real time. So settle() waits until
 * nothing was seen for `quietMs` of real time.
 */
export class InstantTimebase implements ReplayTimebase {
  readonly clock = new SteppingClock(0);
  #activity = 0;

  /** @param quietMs real milliseconds without activity after which in-flight I/O is taken as arrived. */
  constructor(readonly quietMs = 1) {}

  elapsed(): number {
    return this.clock.now();
  }

  noteActivity(): void {
    this.#activity++;
  }

  async settle(): Promise<void> {
    const start = performance.now();
    let seen = this.#activity;
    let quietSince = start;
    // A few bare event-loop turns first: most in-process hops complete within them.
    for (let i = 0; i < 3; i++) await nextTurn();
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

  async advanceTo(t: number): Promise<void> {
    await this.settle();
    while (this.clock.fireNext(t)) await this.settle();
    this.clock.setNow(t);
  }

  async runUntilSettled(promise: Promise<unknown>, maxMs: number): Promise<boolean> {
    const state = tracked(promise);
    const limit = this.clock.now() + maxMs;
    await this.settle();
    while (!state.done) {
      if (!this.clock.fireNext(limit)) break;
      await this.settle();
    }
    return state.done;
  }
}

/** Real time, optionally sped up: the code under test gets a clock that runs `speed` times faster. */
export class RealTimebase implements ReplayTimebase {
  readonly clock: Clock;
  readonly #start = performance.now();

  constructor(readonly speed = 1) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
    const start = this.#start;
    this.clock = {
      now: () => (performance.now() - start) * speed,
      setTimeout: (fn, ms) => {
        const timer = setTimeout(fn, ms / speed);
        timer.unref?.();
        return timer;
      },
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
  }

  elapsed(): number {
    return this.clock.now();
  }

  noteActivity(): void {}

  async settle(): Promise<void> {
    await sleep(2);
  }

  async advanceTo(t: number): Promise<void> {
    const wait = (t - this.elapsed()) / this.speed;
    if (wait > 0) await sleep(wait);
  }

  async runUntilSettled(promise: Promise<unknown>, maxMs: number): Promise<boolean> {
    const state = tracked(promise);
    const timer = sleep(maxMs / this.speed, undefined, { ref: false });
    await Promise.race([promise.then(() => undefined, () => undefined), timer]);
    return state.done;
  }
}
