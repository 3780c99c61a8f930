/**
 * Virtual time for in-process runs: one SteppingClock shared by the driver, the keypad and the fault streams,
 * advanced one timer at a time, with in-process I/O (stream events, promise continuations) run to quiet
 * between timers. A 60-second entry takes as long as its work, not its waits.
 */
import { SteppingClock } from './stepping-clock.js';

/** Runs every pending nextTick and promise continuation (they all drain before the check phase). */
export const settleIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
    await settleIo();
    while (!done) {
      if (!this.clock.fireNext(deadline)) {
        this.clock.setNow(deadline);
        await settleIo();
        return done;
      }
      await settleIo();
    }
    return true;
  }

  /** Lets `ms` of virtual time pass, firing every timer due in it. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    await settleIo();
    while (this.clock.fireNext(target)) await settleIo();
    this.clock.setNow(target);
  }

  /** Lets time run until `condition()` holds or `limitMs` passed; true when it holds. */
  async runUntil(condition: () => boolean, limitMs: number): Promise<boolean> {
    const deadline = this.clock.now() + limitMs;
    await settleIo();
    while (!condition()) {
      if (!this.clock.fireNext(deadline)) {
        this.clock.setNow(deadline);
        return condition();
      }
      await settleIo();
    }
    return true;
  }
}
