import type { Clock } from '../protocol/clock.js';

/**
 * Virtual time for `tenkey replay --instant`, shaped like xstate's SimulatedClock (now/setTimeout/clearTimeout)
 * so one instance drives the entry machine, the link and the driver together. Unlike SimulatedClock.set(),
 * which fires every due timer with now() already at the target, this fires timers one at a time with now()
 * at each timer's own due time, so a timer scheduled by another timer's callback lands where it would in
 * real time; the replayer lets real I/O settle between firings.
 */
export class SteppingClock implements Clock {
  #now: number;
  #nextId = 1;
  /** id → due time and callback; ties fire in scheduling order. */
  readonly #timers = new Map<number, { due: number; fn: () => void }>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#timers.set(id, { due: this.#now + Math.max(0, Number.isFinite(ms) ? ms : 0), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#timers.delete(handle);
  }

  /** Due time of the earliest pending timer, if any. */
  nextDueAt(): number | undefined {
    let earliest: number | undefined;
    for (const { due } of this.#timers.values()) if (earliest === undefined || due < earliest) earliest = due;
    return earliest;
  }

  /**
   * Fires the earliest timer due at or before `limit` (moving now() to its due time) and returns true,
   * or returns false when none is due by then.
   */
  fireNext(limit: number): boolean {
    let pick: [number, { due: number; fn: () => void }] | undefined;
    for (const entry of this.#timers) if (entry[1].due <= limit && (pick === undefined || entry[1].due < pick[1].due)) pick = entry;
    if (pick === undefined) return false;
    this.#timers.delete(pick[0]);
    this.#now = Math.max(this.#now, pick[1].due);
    pick[1].fn();
    return true;
  }

  /** Moves now() forward without firing anything (call fireNext first for timers due before `time`). */
  setNow(time: number): void {
    if (time > this.#now) this.#now = time;
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }
}
