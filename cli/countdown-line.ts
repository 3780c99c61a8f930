/**
 * An entry's status line on a terminal: the field, its ● and the seconds left, redrawn in place (`\r` + clear line)
 * at each progress event and each second between them. For terminals only: piped output has no place to redraw,
 * so the commands keep printing a line per change there, exactly as before.
 */
import type { EntryProgress } from '../host-driver/index.js';
import type { Clock } from '../protocol/clock.js';
import { EntryCountdown, monotonicClock } from './entry-countdown.js';

/** `\r` then erase the whole line: the cursor stays on the status line, which is drawn again from its start. */
const REDRAW = '\r\x1b[2K';

export interface CountdownLineOptions {
  /** The terminal the line is drawn on. */
  stream: { write(text: string): unknown };
  /** The line for `progress`, with `secondsLeft` counted down to now (counts and states only, never digits). */
  render: (progress: EntryProgress, secondsLeft: number) => string;
  /** Whether `next` starts a line of its own below the current one instead of redrawing it (default: never). */
  startsNewLine?: (previous: EntryProgress, next: EntryProgress) => boolean;
  /** Time for the countdown; default monotonic real time. */
  clock?: Clock;
}

/** States in which the keypad waits for keys against its inactivity timeout: the only ones that count down. */
export function waitsForKeys(progress: EntryProgress): boolean {
  return progress.state === 'PAN' || progress.state === 'EXPIRY';
}

export class CountdownLine {
  readonly #options: CountdownLineOptions;
  readonly #countdown: EntryCountdown;
  #progress: EntryProgress | undefined;
  /** The text on the open line, or undefined when no line is open. */
  #drawn: string | undefined;
  #newLineNext = false;

  constructor(options: CountdownLineOptions) {
    this.#options = options;
    this.#countdown = new EntryCountdown((secondsLeft) => this.#draw(secondsLeft), options.clock ?? monotonicClock);
  }

  /** A progress event: redraw with its figures and, while the keypad waits for keys, count down from its `secondsLeft`. */
  update(progress: EntryProgress): void {
    const previous = this.#progress;
    this.#progress = progress;
    if (previous !== undefined && this.#drawn !== undefined && this.#options.startsNewLine?.(previous, progress)) this.#newLineNext = true;
    if (waitsForKeys(progress)) this.#countdown.rebase(progress.secondsLeft);
    else {
      this.#countdown.stop();
      this.#draw(progress.secondsLeft);
    }
  }

  /** Stops the countdown and ends the open line (a newline), so the next output starts on a line of its own. */
  end(): void {
    this.#countdown.stop();
    if (this.#drawn !== undefined) this.#options.stream.write('\n');
    this.#drawn = undefined;
    this.#newLineNext = false;
  }

  #draw(secondsLeft: number): void {
    if (this.#progress === undefined) return;
    const line = this.#options.render(this.#progress, secondsLeft);
    if (this.#newLineNext) {
      this.#options.stream.write(`\n${line}`);
      this.#newLineNext = false;
    } else if (line !== this.#drawn) {
      this.#options.stream.write(`${REDRAW}${line}`);
    }
    this.#drawn = line;
  }
}
