/**
 * One entry session on the virtual keypad: the shared entry statechart with the keypad's implementations
 * (entry/entry-machine.ts), its card in a KeypadCard, and the session's two timers on the keypad's clock. The
 * session hands every effect to its owner as plain reports; card digits never leave the card's buffers except
 * into the encryptor.
 */
import { createActor, type Actor } from 'xstate';
import type { Clock } from '../../protocol/clock.js';
import type { EntryStateName } from '../../protocol/messages.js';
import { toEntryState } from '../../protocol/entry/entry-state-names.js';
import type { EntryEvent } from '../../protocol/entry/entry-statechart.js';
import {
  entryMachine, KeypadCard,
  type EncryptCardInput, type EncryptCardOutput, type EntryMachine, type EntryOutput, type EntrySnapshot,
  type KeyReport, type StateReport,
} from '../entry/entry-machine.js';
import { resolveEntryInput, type EntryInput } from '../entry/entry-input.js';
import { isDigitKey, type KeypadKey } from '../entry/keys.js';

/** What a session asks of the firmware around it. None of these may throw. */
export interface EntrySessionEffects {
  key(report: KeyReport): void;
  /** A state was entered; `secondsLeft` is the inactivity time left in it (0 outside PAN/EXPIRY). */
  state(report: StateReport, secondsLeft: number): void;
  /** The machine moved (a key, a timer, the encryptor): anything on the display may have changed. */
  changed(): void;
  /** Exactly once, when the machine reaches a final state (not after abort()). */
  end(output: EntryOutput): void;
  /** Encrypts the card; its input views are zeroed once the promise settles. */
  encrypt(input: EncryptCardInput): Promise<EncryptCardOutput>;
}

/** One event object per key, made once: a key press allocates nothing. */
const KEY_EVENTS: Readonly<Record<KeypadKey, EntryEvent>> = {
  0: { type: 'key.digit', digit: 0 }, 1: { type: 'key.digit', digit: 1 }, 2: { type: 'key.digit', digit: 2 },
  3: { type: 'key.digit', digit: 3 }, 4: { type: 'key.digit', digit: 4 }, 5: { type: 'key.digit', digit: 5 },
  6: { type: 'key.digit', digit: 6 }, 7: { type: 'key.digit', digit: 7 }, 8: { type: 'key.digit', digit: 8 },
  9: { type: 'key.digit', digit: 9 },
  backspace: { type: 'key.backspace' }, clear: { type: 'key.clear' }, enter: { type: 'key.enter' }, cancel: { type: 'key.cancel' },
};
const INACTIVITY: EntryEvent = { type: 'timeout.inactivity' };
const SESSION_CAP: EntryEvent = { type: 'timeout.sessionCap' };

export class EntrySession {
  readonly sessionId: number;
  readonly #actor: Actor<EntryMachine>;
  readonly #card: KeypadCard;
  readonly #clock: Clock;
  readonly #inactivityMs: number;
  readonly #capMs: number;
  #lastActivityAt: number;
  #inactivityTimer: unknown;
  #capTimer: unknown;
  #silenced = false;
  #ended = false;

  constructor(input: EntryInput, clock: Clock, effects: EntrySessionEffects) {
    const settings = resolveEntryInput(input);
    this.sessionId = settings.sessionId;
    this.#clock = clock;
    this.#lastActivityAt = clock.now();
    this.#inactivityMs = settings.inactivityTimeoutS * 1000;
    this.#capMs = settings.sessionCapS * 1000;
    // Every effect is dropped once the session was aborted: an aborted session has no host left to tell.
    this.#card = new KeypadCard(settings, {
      key: (report) => { if (!this.#silenced) effects.key(report); },
      state: (report) => {
        const open = report.state === 'PAN' || report.state === 'EXPIRY';
        if (!this.#silenced) effects.state(report, open ? settings.inactivityTimeoutS : 0);
      },
      encrypt: (card) => effects.encrypt(card),
    });
    this.#actor = createActor(entryMachine, {
      clock,
      input: {
        sessionId: settings.sessionId, inactivityTimeoutS: settings.inactivityTimeoutS, reveal: settings.reveal,
        expiryRequired: settings.expiryRequired, side: this.#card,
      },
    });
    this.#actor.subscribe({
      next: () => { if (!this.#silenced) effects.changed(); },
      complete: () => this.#finish(effects, this.#actor.getSnapshot().output ?? { outcome: 'failed', code: 'INTERNAL' }),
      // An effect that threw: the session ends as a device fault, never as an unhandled error.
      error: () => {
        this.#card.wipe();
        this.#finish(effects, { outcome: 'failed', code: 'INTERNAL' });
      },
    });
  }

  /** Runs the machine: the PAN field opens (its STATUS report happens inside) and the timers start. */
  start(): void {
    this.#actor.start();
    // The cap is armed once and never restarted; the inactivity timer is re-armed lazily (see #inactivityDue).
    this.#capTimer = this.#clock.setTimeout(() => this.#send(SESSION_CAP), this.#capMs);
    this.#inactivityTimer = this.#clock.setTimeout(() => this.#inactivityDue(), this.#inactivityMs);
    this.#actor.send({ type: 'start' });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** @internal The running machine (tests subscribe to it). */
  get actor(): Actor<EntryMachine> {
    return this.#actor;
  }

  /** @internal The session's card buffers (tests check they are wiped). */
  get card(): KeypadCard {
    return this.#card;
  }

  snapshot(): EntrySnapshot {
    return this.#actor.getSnapshot();
  }

  get state(): EntryStateName {
    return toEntryState(this.snapshot());
  }

  /** Brand of the number once accepted (or refused for its brand). */
  get brand() {
    return this.#card.brand;
  }

  /** Last digits on the display once the number was accepted (at most the session's reveal); the result's after it. */
  get revealed(): string {
    const output = this.#ended ? this.snapshot().output : undefined;
    if (this.#ended) return output?.outcome === 'done' ? output.result.last : '';
    return this.#card.last;
  }

  /** Seconds before the inactivity timeout while a field is open; 0 otherwise. */
  get secondsLeft(): number {
    const state = this.state;
    if (state !== 'PAN' && state !== 'EXPIRY') return 0;
    const deadline = this.#lastActivityAt + this.#inactivityMs;
    return Math.max(0, Math.ceil((deadline - this.#clock.now()) / 1000));
  }

  /** A key on the keypad; false when the session no longer takes keys. */
  press(key: KeypadKey): boolean {
    if (this.#ended) return false;
    const field = this.snapshot().context.field;
    if (field !== 'NONE') this.#lastActivityAt = this.#clock.now();
    this.#actor.send(KEY_EVENTS[key] ?? KEY_EVENTS[isDigitKey(key) ? '0' : 'cancel']);
    return true;
  }

  /** The host's CANCEL: the machine ends in cancelled and reports it. */
  cancelByHost(): void {
    if (!this.#ended) this.#actor.send({ type: 'host.cancel' });
  }

  /** Ends the session without a word to anyone (host gone, RESET, unplugged); buffers are wiped all the same. */
  abort(): void {
    if (this.#ended) return;
    this.#silenced = true;
    this.#actor.send({ type: 'host.cancel' });
  }

  #send(event: EntryEvent): void {
    if (!this.#ended) this.#actor.send(event);
  }

  /** One timer per session instead of one per key: when it fires early (a key came since), it waits the rest. */
  #inactivityDue(): void {
    this.#inactivityTimer = undefined;
    if (this.#ended) return;
    const left = this.#lastActivityAt + this.#inactivityMs - this.#clock.now();
    if (left > 0) {
      this.#inactivityTimer = this.#clock.setTimeout(() => this.#inactivityDue(), left);
      return;
    }
    this.#send(INACTIVITY);
  }

  #finish(effects: EntrySessionEffects, output: EntryOutput): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#clock.clearTimeout(this.#capTimer);
    this.#clock.clearTimeout(this.#inactivityTimer);
    if (!this.#silenced) effects.end(output);
  }
}
