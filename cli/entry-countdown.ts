/**
 * Seconds left of a card entry, counted down between the keypad's reports: the driver emits `progress` only when
 * the keypad reports something (each KEY resets `secondsLeft` to the timeout, each STATUS carries the keypad's own
 * figure), never once a second, so a display that wants a moving countdown ticks by itself.
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../protocol/clock.js';

/** Monotonic time: a wall-clock step (NTP, a changed date) must not jump the countdown. Timers unref'd. */
export const monotonicClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Counts down from the last `secondsLeft` given to `rebase()`, taken as of the moment it was given. Calls `onTick`
 * at once and then at each whole second after that moment, until 0 or `stop()`. Each figure is computed from the
 * base time, never decremented, so late timers cost no drift.
 */
export class EntryCountdown {
  readonly #clock: Clock;
  readonly #onTick: (secondsLeft: number) => void;
  #base: { secondsLeft: number; at: number } | undefined;
  #timer: unknown;

  constructor(onTick: (secondsLeft: number) => void, clock: Clock = monotonicClock) {
    this.#onTick = onTick;
    this.#clock = clock;
  }

  /** A progress event said `secondsLeft` just now: show it and count down from here. */
  rebase(secondsLeft: number): void {
    this.stop();
    this.#base = { secondsLeft: Math.max(0, Math.floor(secondsLeft)), at: this.#clock.now() };
    this.#tick();
  }

  /** No more ticks (the entry ended, or stopped waiting for keys). */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#base = undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    const base = this.#base;
    if (base === undefined) return;
    const elapsedMs = Math.max(0, this.#clock.now() - base.at);
    const left = Math.max(0, base.secondsLeft - Math.floor(elapsedMs / 1000));
    this.#onTick(left);
    // onTick may have stopped or re-based us; otherwise wake at the next whole second after the base.
    if (left > 0 && this.#base === base) this.#timer = this.#clock.setTimeout(() => this.#tick(), 1000 - (elapsedMs % 1000));
  }
}
