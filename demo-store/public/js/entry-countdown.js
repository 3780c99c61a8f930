// Seconds left of a card entry, counted down on the page: the bridge only sends progress when the keypad reports
// something (a key, a STATUS), never once a second, so the page ticks by itself between reports.

/**
 * Counts down from the keypad's last `secondsLeft`, taken as of the moment its progress arrived and re-based on
 * every new one. Each tick is computed from that base time (never decremented), so a late timer costs no drift.
 */
export class EntryCountdown {
  #onTick;
  #now;
  #base = null;
  #timer = null;

  /** @param {(secondsLeft: number) => void} onTick called with the figure to show, at once and then each second. */
  constructor(onTick, now = () => performance.now()) {
    this.#onTick = onTick;
    this.#now = now;
  }

  /** A progress event said `secondsLeft` just now: show it and count down from here. */
  rebase(secondsLeft) {
    this.stop();
    this.#base = { secondsLeft, at: this.#now() };
    this.#tick();
  }

  /** The entry ended or stopped waiting: no more ticks. */
  stop() {
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#base = null;
  }

  #tick() {
    const base = this.#base;
    const elapsedMs = Math.max(0, this.#now() - base.at);
    const left = Math.max(0, base.secondsLeft - Math.floor(elapsedMs / 1000));
    this.#onTick(left);
    // Unless onTick stopped or re-based us, wake at the next whole second after the base (not 1000 ms after now).
    if (left > 0 && this.#base === base) this.#timer = setTimeout(() => this.#tick(), 1000 - (elapsedMs % 1000));
  }
}
