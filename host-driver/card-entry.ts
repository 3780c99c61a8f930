/**
 * One readCard from START_ENTRY to its end: follows the keypad's STATUS/KEY/RESULT/ERROR for its
 * session id, reports progress, and settles exactly once. Knows nothing of transports.
 */
import {
  ENTRY_SESSION_CAP_S, NO_SESSION_ID, STATUS_PROBE_AFTER_MS, type Clock, type DeviceErrorName, type DeviceMessage, type EntryStateName, type KeyClassName,
} from '../protocol/index.js';
import { fromDeviceError, tenkeyError, TenkeyCancelledError, type TenkeyError } from './errors.js';
import type { EntryProgress } from './events.js';
import type { ResolvedReadCardOptions } from './options.js';
import { deviceText } from '../protocol/printable-text.js';
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

export class CardEntry {
  readonly sessionId: number;
  /** Settles once with the outcome; never rejects. */
  readonly outcome: Promise<CardEntryOutcome>;
  #settle!: (outcome: CardEntryOutcome) => void;
  #settled = false;
  #progress: EntryProgress;
  #guard: unknown;
  #probeTimer: unknown;
  /** A GET_STATUS was sent and no STATUS has come since. */
  #probing = false;
  /** A GET_STATUS was sent during this entry. */
  #probed = false;
  /** A STATUS of ours in a final state arrived (DONE, FAILED, TIMEOUT, CANCELLED): its RESULT or ERROR comes next. */
  #endSeen = false;

  constructor(private readonly options: CardEntryOptions) {
    this.sessionId = options.sessionId;
    this.outcome = new Promise((resolve) => {
      this.#settle = resolve;
    });
    this.#progress = { sessionId: options.sessionId, state: 'IDLE', field: 'NONE', digits: 0, secondsLeft: options.timeoutSeconds, notice: 'NONE' };
    // The keypad ends every session by its own cap; this guard only catches a keypad that never answers.
    this.#guard = options.clock.setTimeout(
      () => this.fail(tenkeyError('HOST_SESSION_LIMIT', `no result within ${ENTRY_SESSION_CAP_S + HOST_GUARD_SLACK_S} s`)),
      (ENTRY_SESSION_CAP_S + HOST_GUARD_SLACK_S) * 1000,
    );
    this.#armProbe();
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Feeds one device message; those of other sessions are ignored, an ERROR for session 0 ends this one. */
  handle(message: DeviceMessage): void {
    if (this.#settled) return;
    switch (message.type) {
      case 'STATUS': {
        if (message.sessionId !== this.sessionId) {
          // Only an answer to our GET_STATUS says IDLE or names another session: the keypad has no entry of ours.
          if (this.#probed) this.#resultLost(`keypad reports ${message.state} for session ${message.sessionId}`);
          return;
        }
        this.#armProbe();
        const answersProbe = this.#probing;
        this.#probing = false;
        if (FINAL_STATES.has(message.state)) {
          // The keypad queues a final STATUS just before the RESULT or ERROR, and answers GET_STATUS in order:
          // a second final STATUS means the one between them was given up (§9.7).
          if (this.#endSeen) {
            this.#resultLost(`keypad reports ${message.state} for this session, no RESULT or ERROR came`);
            return;
          }
          this.#endSeen = true;
          // Maybe the answer to our GET_STATUS, maybe the report before a RESULT still on its way: one more
          // GET_STATUS is answered after that RESULT, so whatever comes next tells.
          if (answersProbe) this.#probe();
        }
        this.#report({
          state: message.state, field: message.field, digits: message.digits, secondsLeft: message.secondsLeft, notice: message.notice,
        });
        return;
      }
      case 'KEY':
        if (message.sessionId !== this.sessionId) return;
        this.#armProbe();
        this.#report({
          state: stateAfterKey(message.field, message.keyClass, this.#progress.state),
          field: message.field,
          digits: message.digits,
          // Every key restarts the keypad's inactivity timer.
          secondsLeft: this.options.timeoutSeconds,
          notice: message.notice,
          key: message.keyClass,
        });
        return;
      case 'RESULT': {
        if (message.sessionId !== this.sessionId) return;
        const result: CardReadResult = {
          brand: message.brand,
          last: message.last,
          keySerialNumber: Buffer.from(message.keySerialNumber).toString('hex'),
          encryptedBlock: Buffer.from(message.encryptedBlock).toString('hex'),
          sessionId: this.sessionId,
          device: this.options.device(),
        };
        this.#finish('DONE', { ok: true, result });
        return;
      }
      case 'ERROR': {
        if (message.sessionId === this.sessionId) {
          this.fail(fromDeviceError(message.code, message.detail));
        } else if (message.sessionId === NO_SESSION_ID) {
          this.fail(noSessionError(message.code, message.detail));
        }
        return;
      }
      default:
        return;
    }
  }

  /** Ends the entry with an error or a cancellation (idempotent: the first outcome wins). */
  fail(error: TenkeyError | TenkeyCancelledError): void {
    const state: EntryStateName = error instanceof TenkeyCancelledError ? 'CANCELLED' : error.code === 'ENTRY_TIMEOUT' ? 'TIMEOUT' : 'FAILED';
    this.#finish(state, { ok: false, error });
  }

  #finish(state: EntryStateName, outcome: CardEntryOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.options.clock.clearTimeout(this.#guard);
    this.options.clock.clearTimeout(this.#probeTimer);
    const { key: _key, ...rest } = this.#progress;
    this.#progress = { ...rest, state, field: 'NONE', secondsLeft: 0 };
    this.#settle(outcome);
    this.#emit();
  }

  /** (Re)starts the wait for the device to say something about this session (§9.7). */
  #armProbe(): void {
    if (this.options.probe === undefined || this.#settled) return;
    const { clock } = this.options;
    clock.clearTimeout(this.#probeTimer);
    this.#probeTimer = clock.setTimeout(() => {
      this.#probeTimer = undefined;
      if (this.#settled) return;
      this.#probe();
      this.#armProbe();
    }, STATUS_PROBE_AFTER_MS);
  }

  #probe(): void {
    this.#probing = true;
    this.#probed = true;
    try {
      this.options.probe?.();
    } catch {
      /* the caller's to report; the next probe or the guard still runs */
    }
  }

  #resultLost(detail: string): void {
    this.fail(tenkeyError('RESULT_LOST', detail));
  }

  #report(update: Omit<EntryProgress, 'sessionId'>): void {
    this.#progress = { sessionId: this.sessionId, ...update };
    this.#emit();
  }

  #emit(): void {
    // A listener's bug must not break the entry.
    try {
      this.options.onProgress({ ...this.#progress });
    } catch {
      /* ignored */
    }
  }
}

/** STATUS states an entry ends in (PROTOCOL.md §9.2). */
const FINAL_STATES: ReadonlySet<EntryStateName> = new Set(['DONE', 'FAILED', 'TIMEOUT', 'CANCELLED']);

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

/** A KEY frame names the field, not the state: ENTER that leaves every field means the keypad is now encrypting. */
function stateAfterKey(field: EntryProgress['field'], keyClass: KeyClassName, previous: EntryStateName): EntryStateName {
  if (field === 'PAN') return 'PAN';
  if (field === 'EXPIRY') return 'EXPIRY';
  return keyClass === 'ENTER' ? 'PROCESSING' : previous;
}
