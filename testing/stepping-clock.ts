import type { Clock } from '../protocol/clock.js';

interface PendingTimer {
  id: number;
  due: number;
  fn: () => void;
}

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
  /** id → timer, in scheduling order (ties fire in it). */
  readonly #timers = new Map<number, PendingTimer>();
  /**
   * The timer that fires next, or null when it must be looked for again (after it fired or was cleared). A replay
   * asks for it at every step, with the link's and the entry's timers pending: a scan each time is waste.
   */
  #earliest: PendingTimer | undefined | null = undefined;

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = this.#nextId++;
    const timer = { id, due: this.#now + Math.max(0, Number.isFinite(ms) ? ms : 0), fn };
    this.#timers.set(id, timer);
    // A later timer due at the same time fires after the earlier one: only a strictly earlier due time takes over.
    if (this.#earliest === undefined || (this.#earliest !== null && timer.due < this.#earliest.due)) this.#earliest = timer;
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle !== 'number' || !this.#timers.delete(handle)) return;
    if (this.#earliest !== null && this.#earliest?.id === handle) this.#earliest = null;
  }

  #findEarliest(): PendingTimer | undefined {
    if (this.#earliest !== null) return this.#earliest;
    let earliest: PendingTimer | undefined;
    for (const timer of this.#timers.values()) if (earliest === undefined || timer.due < earliest.due) earliest = timer;
    this.#earliest = earliest;
    return earliest;
  }

  /** Due time of the earliest pending timer, if any. */
  nextDueAt(): number | undefined {
    return this.#findEarliest()?.due;
  }

  /**
   * Fires the earliest timer due at or before `limit` (moving now() to its due time) and returns true,
   * or returns false when none is due by then.
   */
  fireNext(limit: number): boolean {
    const pick = this.#findEarliest();
    if (pick === undefined || pick.due > limit) return false;
    this.#timers.delete(pick.id);
    this.#earliest = null;
    this.#now = Math.max(this.#now, pick.due);
    pick.fn();
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
