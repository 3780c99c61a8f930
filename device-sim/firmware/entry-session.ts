/**
 * One entry session on the virtual keypad: the shared entry machine, run with the real effects supplied through
 * `provide()` (the machine itself stays pure). The session hands every effect to its owner as plain reports;
 * card digits never leave the machine's buffers except into the encryptor.
 */
import { createActor, fromPromise, type Actor } from 'xstate';
import type { Clock } from '../../protocol/clock.js';
import type { EntryStateName } from '../../protocol/messages.js';
import { lastDigits } from '../entry/card-rules.js';
import {
  entryMachine,
  type EncryptCardInput, type EncryptCardOutput, type EntryContext, type EntryMachine, type EntryOutput, type EntrySnapshot,
  type KeyReport, type StateReport,
} from '../entry/entry-machine.js';
import type { EntryInput } from '../entry/entry-input.js';
import type { KeypadKey } from '../entry/keys.js';
import { toEntryState } from '../entry/protocol-names.js';

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

/** A session's effects as the one provided machine reaches them (through the actor system its actor runs in). */
interface SessionEffects {
  key(report: KeyReport): void;
  state(context: EntryContext, report: StateReport): void;
  encrypt(card: EncryptCardInput): Promise<EncryptCardOutput>;
}

const sessionEffects = new WeakMap<object, SessionEffects>();

/**
 * The entry machine with the firmware's effects. provide() builds a whole new machine (every state node and
 * transition, most of an entry's CPU time when done per session), so it runs once; each effect finds its
 * session by the actor system it runs in.
 */
const firmwareMachine = entryMachine.provide({
  actions: {
    reportKey: ({ system }, report) => sessionEffects.get(system)?.key(report),
    reportState: ({ context, system }, report) => sessionEffects.get(system)?.state(context, report),
    wipeBuffers: (_, { buffers }) => { for (const buffer of buffers) buffer.fill(0); },
  },
  actors: {
    encryptCard: fromPromise<EncryptCardOutput, EncryptCardInput>(({ input: card, system }) => {
      const effects = sessionEffects.get(system);
      return effects === undefined ? Promise.reject(new Error('encryptCard: no session')) : effects.encrypt(card);
    }),
  },
});

export class EntrySession {
  readonly sessionId: number;
  /** Last digits on the display once the number was accepted (at most the session's reveal). */
  revealed = '';
  readonly #actor: Actor<EntryMachine>;
  readonly #clock: Clock;
  #lastActivityAt: number;
  #silenced = false;
  #ended = false;

  constructor(input: EntryInput, clock: Clock, effects: EntrySessionEffects) {
    this.sessionId = input.sessionId;
    this.#clock = clock;
    this.#lastActivityAt = clock.now();
    // Every effect is dropped once the session was aborted: an aborted session has no host left to tell.
    const live = (): boolean => !this.#silenced;
    this.#actor = createActor(firmwareMachine, { clock, input });
    sessionEffects.set(this.#actor.system, {
      key: (report) => { if (live()) effects.key(report); },
      state: (context, report) => {
        if (report.state === 'EXPIRY' || report.state === 'PROCESSING') {
          this.revealed = lastDigits(context.pan, context.panDigits, context.reveal);
        }
        const open = report.state === 'PAN' || report.state === 'EXPIRY';
        if (live()) effects.state(report, open ? context.inactivityTimeoutS : 0);
      },
      encrypt: (card) => effects.encrypt(card),
    });
    this.#actor.subscribe({
      next: () => { if (live()) effects.changed(); },
      complete: () => this.#finish(effects, this.#actor.getSnapshot().output ?? { outcome: 'failed', code: 'INTERNAL' }),
      // An effect that threw: the session ends as a device fault, never as an unhandled error.
      error: () => this.#finish(effects, { outcome: 'failed', code: 'INTERNAL' }),
    });
  }

  /** Runs the machine (its first STATUS report happens inside). */
  start(): void {
    this.#actor.start();
  }

  get ended(): boolean {
    return this.#ended;
  }

  snapshot(): EntrySnapshot {
    return this.#actor.getSnapshot();
  }

  get state(): EntryStateName {
    return toEntryState(this.snapshot());
  }

  /** Seconds before the inactivity timeout while a field is open; 0 otherwise. */
  get secondsLeft(): number {
    const state = this.state;
    if (state !== 'PAN' && state !== 'EXPIRY') return 0;
    const deadline = this.#lastActivityAt + this.snapshot().context.inactivityTimeoutS * 1000;
    return Math.max(0, Math.ceil((deadline - this.#clock.now()) / 1000));
  }

  /** A key on the keypad; false when the session no longer takes keys. */
  press(key: KeypadKey): boolean {
    if (this.#ended) return false;
    const state = this.state;
    if (state === 'PAN' || state === 'EXPIRY') this.#lastActivityAt = this.#clock.now();
    this.#actor.send({ type: 'key', key });
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

  #finish(effects: EntrySessionEffects, output: EntryOutput): void {
    if (this.#ended) return;
    this.#ended = true;
    this.revealed = output.outcome === 'done' ? output.result.last : '';
    if (!this.#silenced) effects.end(output);
  }
}
