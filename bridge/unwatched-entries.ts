/**
 * Frees the keypad when the page that started an entry is gone (HTTP-API.md "GET /entries/:id/events"): a running
 * entry that has had no event-stream subscriber for a grace period — from its creation, or from its last
 * subscriber leaving — is cancelled by host. The grace is long enough for an EventSource to reconnect.
 */
import type { Clock } from '../protocol/clock.js';
import type { BridgeEntry } from './entry-registry.js';

interface Watched {
  subscribers: number;
  timer: unknown;
  cancel: () => void;
}

export class UnwatchedEntryCanceller {
  readonly #watched = new Map<BridgeEntry, Watched>();

  constructor(
    private readonly clock: Clock,
    /** How long a running entry may go without a subscriber. */
    private readonly graceMs: number,
  ) {}

  /** Starts the grace for a new entry: `cancel` is called unless a subscriber comes (and stays) in time. */
  track(entry: BridgeEntry, cancel: () => void): void {
    if (entry.outcome !== undefined) return;
    const watched: Watched = { subscribers: 0, timer: undefined, cancel };
    this.#watched.set(entry, watched);
    entry.subscribe((event) => {
      if (event.event !== 'progress') this.#forget(entry);
    });
    this.#arm(entry, watched);
  }

  /** An event stream opened for `entry`; returns what to call when that stream closes. */
  watch(entry: BridgeEntry): () => void {
    const watched = this.#watched.get(entry);
    if (!watched) return () => {};
    watched.subscribers += 1;
    this.clock.clearTimeout(watched.timer);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      watched.subscribers -= 1;
      if (watched.subscribers === 0 && this.#watched.get(entry) === watched) this.#arm(entry, watched);
    };
  }

  /** Stops every timer (the bridge is closing). */
  clear(): void {
    for (const entry of [...this.#watched.keys()]) this.#forget(entry);
  }

  #arm(entry: BridgeEntry, watched: Watched): void {
    this.clock.clearTimeout(watched.timer);
    watched.timer = this.clock.setTimeout(() => {
      this.#forget(entry);
      watched.cancel();
    }, this.graceMs);
  }

  #forget(entry: BridgeEntry): void {
    const watched = this.#watched.get(entry);
    if (!watched) return;
    this.clock.clearTimeout(watched.timer);
    this.#watched.delete(entry);
  }
}
