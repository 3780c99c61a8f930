/**
 * The virtual keypad's non-volatile memory for its DUKPT counter (PROTOCOL.md §7.1: a device never uses a counter
 * twice, across power cycles too). One small JSON file per simulated device: the next counter to use, the
 * device's serial number and key set, rewritten durably (protocol/durable-write.ts) every time a transaction takes
 * a counter, before its key exists, so a crash between the write and the RESULT skips a counter and never repeats one.
 *
 *   { "format": "tenkey-keypad-counter/1", "serialNumber": "SIM-00000001", "keySetId": "…16 hex…", "nextCounter": 7 }
 *
 * `nextCounter` null: the counter is used up, and the keypad refuses START_ENTRY with KEY_EXHAUSTED (§7.1).
 * One file serves one running keypad at a time (two at once would hand out the same counters, as two devices
 * sharing one serial number would): startCounter locks the file (FILE.lock, ./file-lock.ts) until release().
 */
import { CodedError } from '../../protocol/coded-error.js';
import { writeFileDurably } from '../../protocol/durable-write.js';
import { readStateFile } from '../../protocol/state-file.js';
import { FIRST_COUNTER, isValidCounter, type DukptCounterMemory } from '../crypto/aes-dukpt.js';
import { lockFile, type FileLock } from './file-lock.js';

export const COUNTER_FILE_FORMAT = 'tenkey-keypad-counter/1';

export type CounterFileErrorCode =
  /** The file exists but is not a counter file (damaged, or something else): the keypad will not guess a counter. */
  | 'UNREADABLE_COUNTER_FILE'
  /** The file belongs to another device (serial number or key set differs). */
  | 'OTHER_DEVICE'
  /** A start counter below the one the file says is next: it would reuse KSNs. */
  | 'COUNTER_GOES_BACK'
  /** Another running keypad holds the file: two would hand out the same counters. */
  | 'IN_USE';

export class CounterFileError extends CodedError<CounterFileErrorCode> {}

export interface CounterFileOwner {
  serialNumber: string;
  /** The device's initial key ID (= INFO keySetId), 8 bytes. */
  keySetId: Uint8Array;
}

/** `path` as a counter memory for the device `owner`. */
export class KeypadCounterFile implements DukptCounterMemory {
  readonly #keySetId: string;
  #lock: FileLock | undefined;

  constructor(readonly path: string, private readonly owner: CounterFileOwner) {
    this.#keySetId = Buffer.from(owner.keySetId).toString('hex');
  }

  /**
   * The counter the device's next transaction uses: the file's, or `requested` (default 1) when there is no file
   * yet. A `requested` counter above the file's moves the device forward; below it, throws COUNTER_GOES_BACK.
   * null: used up. Holds the file until release(). Throws CounterFileError for a file it cannot trust, and
   * IN_USE for a file another running keypad holds.
   */
  startCounter(requested?: number): number | null {
    this.#hold();
    try {
      return this.#startCounter(requested);
    } catch (error) {
      this.release();
      throw error;
    }
  }

  /** Lets another keypad use the file (the keypad is off). */
  release(): void {
    this.#lock?.release();
    this.#lock = undefined;
  }

  save(next: number | null): void {
    const content = { format: COUNTER_FILE_FORMAT, serialNumber: this.owner.serialNumber, keySetId: this.#keySetId, nextCounter: next };
    writeFileDurably(this.path, `${JSON.stringify(content, null, 2)}\n`);
  }

  #startCounter(requested: number | undefined): number | null {
    const saved = this.#read();
    if (saved === undefined) return requested ?? FIRST_COUNTER;
    if (requested === undefined) return saved;
    if (saved === null || requested < saved) {
      throw new CounterFileError('COUNTER_GOES_BACK', `${this.path} says the next DUKPT counter is ${saved ?? 'none (used up)'}: a keypad never goes back to ${requested} (that would reuse KSNs); use another state file`);
    }
    return requested;
  }

  #hold(): void {
    if (this.#lock !== undefined) return;
    let lock: ReturnType<typeof lockFile>;
    try {
      lock = lockFile(this.path);
    } catch (error) {
      throw new CounterFileError('UNREADABLE_COUNTER_FILE', `cannot lock the keypad state file ${this.path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
    }
    if ('heldBy' in lock) {
      const holder = lock.heldBy === undefined ? 'another process' : `process ${lock.heldBy}`;
      throw new CounterFileError('IN_USE', `the keypad state file ${this.path} is in use by another running keypad (${holder}, ${lock.path}): two at once would reuse KSNs; stop that one or use another state file`);
    }
    this.#lock = lock;
  }

  /** The saved next counter (null: used up), or undefined when there is no file. */
  #read(): number | null | undefined {
    const json = readStateFile(this.path, COUNTER_FILE_FORMAT, {
      cannotRead: (code, cause) => new CounterFileError('UNREADABLE_COUNTER_FILE', `cannot read the keypad state file ${this.path} (${code})`, { cause }),
      damaged: (why, cause) => this.#unreadable(why, cause),
    });
    if (json === undefined) return undefined;
    const { serialNumber, keySetId, nextCounter } = json;
    if (nextCounter !== null && !isValidCounter(nextCounter as number)) throw this.#unreadable('nextCounter is not a DUKPT counter');
    if (serialNumber !== this.owner.serialNumber || keySetId !== this.#keySetId) {
      throw new CounterFileError('OTHER_DEVICE', `the keypad state file ${this.path} belongs to another device (serial number or key set differs)`);
    }
    return nextCounter as number | null;
  }

  #unreadable(why: string, cause?: unknown): CounterFileError {
    // A keypad that lost its memory must not start again at 1: it refuses to start instead.
    return new CounterFileError('UNREADABLE_COUNTER_FILE', `the keypad state file ${this.path} is damaged (${why}); the keypad will not guess its DUKPT counter`, { cause });
  }
}
