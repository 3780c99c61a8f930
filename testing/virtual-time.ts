/**
 * Virtual time for in-process runs: one SteppingClock shared by the driver, the keypad and the fault streams,
 * advanced one timer at a time, with in-process I/O (stream events, promise continuations) run to quiet
 * between timers. A 60-second entry takes as long as its work, not its waits.
 */
import { SteppingClock } from './stepping-clock.js';

/** Runs every pending nextTick and promise continuation (they all drain before the check phase). */
export const settleIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What a timebase does around the timers it fires (see {@link runTimersUntil}). */
export interface TimerLoopHooks {
  /** Lets in-process I/O run to quiet. */
  settle(): Promise<void> | void;
  /** Before a timer due at `due` fires (a paced replay waits there for the wall clock). */
  beforeFire?(due: number): Promise<void> | void;
  /** Right after a timer fired (its callback may have started work). */
  afterFire?(): void;
}

const never = (): boolean => false;

/**
 * The one loop of virtual time, shared by VirtualTime and replay's VirtualTimebase: settles, then fires the timers
 * due by `limit` one at a time, each at its own due time, settling after each, until `done()` holds. True when it
 * held; false when no timer was due by `limit` any more (the clock stays at the last timer fired).
 */
export async function runTimersUntil(clock: SteppingClock, limit: number, hooks: TimerLoopHooks, done: () => boolean = never): Promise<boolean> {
  await hooks.settle();
  while (!done()) {
    const due = clock.nextDueAt();
    if (due === undefined || due > limit) return false;
    if (hooks.beforeFire) await hooks.beforeFire(due);
    clock.fireNext(limit);
    hooks.afterFire?.();
    await hooks.settle();
  }
  return true;
}

/** In-process test runs: nothing to track, a turn after every timer. */
const ALWAYS_SETTLE: TimerLoopHooks = { settle: settleIo };

export class VirtualTime {
  readonly clock: SteppingClock;

  constructor(startMs = 0) {
    this.clock = new SteppingClock(startMs);
  }

  now(): number {
    return this.clock.now();
  }

  /**
   * Lets time run until `promise` settles or `limitMs` of virtual time has passed. True when it settled.
   * Never rejects (the promise's own rejection is the caller's to read).
   */
  async runUntilSettled(promise: Promise<unknown>, limitMs: number): Promise<boolean> {
    let done = false;
    promise.then(() => { done = true; }, () => { done = true; });
    const deadline = this.clock.now() + limitMs;
    if (await runTimersUntil(this.clock, deadline, ALWAYS_SETTLE, () => done)) return true;
    this.clock.setNow(deadline);
    await settleIo();
    return done;
  }

  /** Lets `ms` of virtual time pass, firing every timer due in it. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    await runTimersUntil(this.clock, target, ALWAYS_SETTLE);
    this.clock.setNow(target);
  }

  /** Lets time run until `condition()` holds or `limitMs` passed; true when it holds. */
  async runUntil(condition: () => boolean, limitMs: number): Promise<boolean> {
    const deadline = this.clock.now() + limitMs;
    if (await runTimersUntil(this.clock, deadline, ALWAYS_SETTLE, condition)) return true;
    this.clock.setNow(deadline);
    return condition();
  }
}
