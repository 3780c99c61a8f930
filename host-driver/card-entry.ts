/**
 * One readCard from START_ENTRY to its end: runs the shared entry statechart on the keypad's reports for its
 * session id (entry-reports.ts supplies the driver's guards), reports progress from the machine's state, and
 * settles exactly once with the machine's outcome. Knows nothing of transports. The two timers here are the
 * driver's duties around the entry, not its state: the STATUS probe of PROTOCOL.md §9.7 and the guard on a keypad
 * that never answers.
 */
import { createActor, type Actor } from 'xstate';
import {
  ENTRY_SESSION_CAP_S, NO_SESSION_ID, STATUS_PROBE_AFTER_MS,
  type Clock, type DeviceErrorName, type DeviceMessage, type EntryFieldName, type EntryNoticeName, type EntryStateName,
  type KeyClassName,
} from '../protocol/index.js';
import { digitsIn, type EntryEndState, type EntryEvent, type EntryOutput, type EntrySnapshot } from '../protocol/entry/entry-statechart.js';
import { toDeviceError, toEntryState } from '../protocol/entry/entry-state-names.js';
import { deviceText } from '../protocol/printable-text.js';
import { driverEntryMachine, type DriverSide } from './entry-reports.js';
import { fromDeviceError, tenkeyError, TenkeyCancelledError, type TenkeyError } from './errors.js';
import type { EntryProgress } from './events.js';
import type { ResolvedReadCardOptions } from './options.js';
import type { CardReadResult, DeviceInfo } from './results.js';

/** Slack the host's guard gives the keypad beyond its own session cap before declaring ENTRY_TIMEOUT itself. */
export const HOST_GUARD_SLACK_S = 10;

export interface CardEntryOptions extends ResolvedReadCardOptions {
  sessionId: number;
  clock: Clock;
  device: () => DeviceInfo;
  onProgress: (progress: EntryProgress) => void;
  /**
   * Sends GET_STATUS (PROTOCOL.md §9.7); its failures are the caller's to swallow (a lost link ends the entry
   * by other means). Called after STATUS_PROBE_AFTER_MS with nothing from the device for the session. Absent: no probes.
   */
  probe?: () => void;
}

export type CardEntryOutcome =
  | { ok: true; result: CardReadResult }
  | { ok: false; error: TenkeyError | TenkeyCancelledError };

/** The statechart's key event of each KEY class. */
const KEY_EVENT_TYPE = {
  DIGIT: 'key.digit', BACKSPACE: 'key.backspace', CLEAR: 'key.clear', ENTER: 'key.enter', CANCEL: 'key.cancel',
} as const satisfies Record<KeyClassName, EntryEvent['type']>;

export class CardEntry {
  readonly sessionId: number;
  /** Settles once with the outcome; never rejects. */
  readonly outcome: Promise<CardEntryOutcome>;
  #settle!: (outcome: CardEntryOutcome) => void;
  #settled = false;
  readonly #actor: Actor<typeof driverEntryMachine>;
  /** What the last progress event said (state, field, digits, notice). */
  #shown: { state: EntryStateName; field: EntryFieldName; digits: number; notice: EntryNoticeName } =
    { state: 'IDLE', field: 'NONE', digits: 0, notice: 'NONE' };
  /** When the keypad's inactivity timeout ends the entry if no key comes, on our clock (from the last KEY or STATUS). */
  #deadline: number;
  #guard: unknown;
  #probeTimer: unknown;

  constructor(private readonly options: CardEntryOptions) {
    this.sessionId = options.sessionId;
    this.outcome = new Promise((resolve) => {
      this.#settle = resolve;
    });
    const { clock } = options;
    this.#deadline = clock.now() + options.timeoutSeconds * 1000;
    const side: DriverSide = { askStatus: () => this.#askStatus() };
    this.#actor = createActor(driverEntryMachine, {
      input: {
        sessionId: options.sessionId, inactivityTimeoutS: options.timeoutSeconds, reveal: options.reveal,
        expiryRequired: options.expiryRequired, side,
      },
    });
    this.#actor.start();
    // The keypad ends every session by its own cap; this guard only catches a keypad that never answers.
    this.#guard = clock.setTimeout(
      () => this.fail(tenkeyError('HOST_SESSION_LIMIT', `no result within ${ENTRY_SESSION_CAP_S + HOST_GUARD_SLACK_S} s`)),
      (ENTRY_SESSION_CAP_S + HOST_GUARD_SLACK_S) * 1000,
    );
    this.#heard();
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** The driver's statechart now (for tests: it must match the keypad's). */
  snapshot(): EntrySnapshot {
    return this.#actor.getSnapshot();
  }

  /** Feeds one device message; those of other sessions are ignored, an ERROR for session 0 ends this one. */
  handle(message: DeviceMessage): void {
    if (this.#settled) return;
    switch (message.type) {
      case 'STATUS':
        if (message.sessionId !== this.sessionId) {
          this.#send({ type: 'report.otherStatus', state: message.state, sessionId: message.sessionId });
          return;
        }
        this.#heard();
        if (message.field !== 'NONE') this.#deadline = this.options.clock.now() + message.secondsLeft * 1000;
        this.#send({ type: 'report.status', report: message });
        return;
      case 'KEY':
        if (message.sessionId !== this.sessionId) return;
        this.#heard();
        // Every key restarts the keypad's inactivity timer.
        this.#deadline = this.options.clock.now() + this.options.timeoutSeconds * 1000;
        this.#send({ type: KEY_EVENT_TYPE[message.keyClass], report: message }, message.keyClass);
        return;
      case 'RESULT':
        if (message.sessionId !== this.sessionId) return;
        this.#send({ type: 'report.result', result: message });
        return;
      case 'ERROR':
        if (message.sessionId === this.sessionId) {
          this.#send({ type: 'report.error', code: message.code, detail: message.detail });
        } else if (message.sessionId === NO_SESSION_ID) {
          this.fail(noSessionError(message.code, message.detail));
        }
        return;
      default:
        return;
    }
  }

  /** Ends the entry with an error or a cancellation (idempotent: the first outcome wins). */
  fail(error: TenkeyError | TenkeyCancelledError): void {
    if (this.#settled) return;
    const state: EntryEndState = error instanceof TenkeyCancelledError ? 'cancelled' : error.code === 'ENTRY_TIMEOUT' ? 'timeout' : 'failed';
    this.#send({ type: 'host.abandon', state, cause: error });
  }

  #send(event: EntryEvent, key?: KeyClassName): void {
    this.#actor.send(event);
    const snapshot = this.#actor.getSnapshot();
    if (snapshot.status !== 'active') {
      this.#finish(snapshot);
      return;
    }
    // Between the final STATUS (or the cancel key) and its RESULT or ERROR nothing new is shown: the end is what settles.
    if (snapshot.value === 'ending' || snapshot.value === 'cancelling') return;
    const { context } = snapshot;
    const state = toEntryState(snapshot);
    const digits = digitsIn(context);
    const shown = this.#shown;
    // One progress event per change; a key is news of its own (the popup may show it), a repeated STATUS is not.
    if (key === undefined && shown.state === state && shown.field === context.field && shown.digits === digits && shown.notice === context.notice) return;
    this.#shown = { state, field: context.field, digits, notice: context.notice };
    this.#emit(key);
  }

  #finish(snapshot: EntrySnapshot): void {
    if (this.#settled) return;
    this.#settled = true;
    const { clock } = this.options;
    clock.clearTimeout(this.#guard);
    clock.clearTimeout(this.#probeTimer);
    this.#settle(this.#outcomeOf(snapshot));
    this.#shown = { state: toEntryState(snapshot), field: 'NONE', digits: 0, notice: 'NONE' };
    this.#emit(undefined);
  }

  #outcomeOf(snapshot: EntrySnapshot): CardEntryOutcome {
    const output: EntryOutput = snapshot.output ?? { outcome: 'failed', code: 'INTERNAL' };
    switch (output.outcome) {
      case 'done': {
        const { result } = output;
        return {
          ok: true,
          result: {
            brand: result.brand,
            last: result.last,
            keySerialNumber: Buffer.from(result.keySerialNumber).toString('hex'),
            encryptedBlock: Buffer.from(result.encryptedBlock).toString('hex'),
            sessionId: this.sessionId,
            device: this.options.device(),
          },
        };
      }
      case 'abandoned': return { ok: false, error: output.cause as TenkeyError | TenkeyCancelledError };
      case 'outOfStep': return { ok: false, error: tenkeyError('ENTRY_OUT_OF_STEP', output.detail) };
      case 'lost': return { ok: false, error: tenkeyError('RESULT_LOST', output.detail) };
      default: {
        const code = toDeviceError(output) ?? 'INTERNAL';
        return { ok: false, error: fromDeviceError(code, output.detail ?? '') };
      }
    }
  }

  #emit(key: KeyClassName | undefined): void {
    const { state, field, digits, notice } = this.#shown;
    const open = field !== 'NONE';
    const now = this.options.clock.now();
    const progress: EntryProgress = {
      sessionId: this.sessionId, state, field, digits,
      secondsLeft: open ? Math.max(0, Math.ceil((this.#deadline - now) / 1000)) : 0,
      deadline: open ? this.#deadline : null,
      notice,
      ...(key === undefined ? {} : { key }),
    };
    // A listener's bug must not break the entry.
    try {
      this.options.onProgress(progress);
    } catch {
      /* ignored */
    }
  }

  /**
   * (Re)starts the wait for the device to say something about this session (§9.7). Re-armed on every report, as
   * captures record it: a lazier timer would fire at the same instants but order differently against the keepalive.
   */
  #heard(): void {
    const { clock } = this.options;
    if (this.options.probe === undefined || this.#settled) return;
    clock.clearTimeout(this.#probeTimer);
    this.#probeTimer = clock.setTimeout(() => {
      this.#probeTimer = undefined;
      if (this.#settled) return;
      this.#send({ type: 'probe' });
      this.#heard();
    }, STATUS_PROBE_AFTER_MS);
  }

  #askStatus(): void {
    try {
      this.options.probe?.();
    } catch {
      /* the caller's to report; the next probe or the guard still runs */
    }
  }
}

/**
 * An ERROR for session 0 while our entry runs. Session 0 is "no session" (§5.12): such an ERROR is about the
 * device or the host as a whole, never one entry — BUSY (another host holds the keypad, §8), UNSUPPORTED_VERSION
 * (a HELLO refused), a device-wide INTERNAL failure, and the other refusals. Each says no entry of ours is
 * running any more, and since an entry ends only with a RESULT or ERROR carrying its own id (§9.1), waiting
 * would last until the host guard (over 5 minutes): the entry ends now, with the device's code through the
 * table. The codes that only ever end a running entry (CANCELLED, TIMEOUT, INVALID_CARD, …) cannot honestly
 * come without its id; for session 0 they mean only "the device answered out of turn" — above all, a cancel
 * that names no entry is not the person pressing the cancel key.
 */
function noSessionError(code: DeviceErrorName, detail: string): TenkeyError | TenkeyCancelledError {
  const text = `session 0${detail ? `: ${detail}` : ''}`;
  // fromDeviceError makes the device's detail printable; this path quotes it itself.
  if (SESSIONLESS_CODES.has(code)) return fromDeviceError(code, text);
  return tenkeyError('UNEXPECTED_ANSWER', `device ERROR ${code} for ${deviceText(text)}`);
}

/** Device codes that may come for session 0: refusals (§5.12 "refusal") and a device-wide INTERNAL failure. */
const SESSIONLESS_CODES: ReadonlySet<DeviceErrorName> = new Set(['BUSY', 'KEY_EXHAUSTED', 'BAD_REQUEST', 'UNSUPPORTED_VERSION', 'NO_SESSION', 'INTERNAL']);
