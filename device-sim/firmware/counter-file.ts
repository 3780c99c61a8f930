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
 * sharing one serial number would).
 */
import { readFileSync } from 'node:fs';
import { CodedError } from '../../protocol/coded-error.js';
import { writeFileDurably } from '../../protocol/durable-write.js';
import { FIRST_COUNTER, isValidCounter, type DukptCounterMemory } from '../crypto/aes-dukpt.js';

export const COUNTER_FILE_FORMAT = 'tenkey-keypad-counter/1';

export type CounterFileErrorCode =
  /** The file exists but is not a counter file (damaged, or something else): the keypad will not guess a counter. */
  | 'UNREADABLE_COUNTER_FILE'
  /** The file belongs to another device (serial number or key set differs). */
  | 'OTHER_DEVICE'
  /** A start counter below the one the file says is next: it would reuse KSNs. */
  | 'COUNTER_GOES_BACK';

export class CounterFileError extends CodedError<CounterFileErrorCode> {}

export interface CounterFileOwner {
  serialNumber: string;
  /** The device's initial key ID (= INFO keySetId), 8 bytes. */
  keySetId: Uint8Array;
}

/** `path` as a counter memory for the device `owner`. */
export class KeypadCounterFile implements DukptCounterMemory {
  readonly #keySetId: string;

  constructor(readonly path: string, private readonly owner: CounterFileOwner) {
    this.#keySetId = Buffer.from(owner.keySetId).toString('hex');
  }

  /**
   * The counter the device's next transaction uses: the file's, or `requested` (default 1) when there is no file
   * yet. A `requested` counter above the file's moves the device forward; below it, throws COUNTER_GOES_BACK.
   * null: used up. Throws CounterFileError for a file it cannot trust.
   */
  startCounter(requested?: number): number | null {
    const saved = this.#read();
    if (saved === undefined) return requested ?? FIRST_COUNTER;
    if (requested === undefined) return saved;
    if (saved === null || requested < saved) {
      throw new CounterFileError('COUNTER_GOES_BACK', `${this.path} says the next DUKPT counter is ${saved ?? 'none (used up)'}: a keypad never goes back to ${requested} (that would reuse KSNs); use another state file`);
    }
    return requested;
  }

  save(next: number | null): void {
    const content = { format: COUNTER_FILE_FORMAT, serialNumber: this.owner.serialNumber, keySetId: this.#keySetId, nextCounter: next };
    writeFileDurably(this.path, `${JSON.stringify(content, null, 2)}\n`);
  }

  /** The saved next counter (null: used up), or undefined when there is no file. */
  #read(): number | null | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CounterFileError('UNREADABLE_COUNTER_FILE', `cannot read the keypad state file ${this.path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.#unreadable('not JSON', error);
    }
    const { format, serialNumber, keySetId, nextCounter } = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    if (format !== COUNTER_FILE_FORMAT) throw this.#unreadable(`format is not ${COUNTER_FILE_FORMAT}`);
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
