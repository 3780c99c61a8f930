/**
 * The receiver's half of the DUKPT counter rule (ANSI X9.24; PROTOCOL.md §7.1): per device, named by the initial
 * key ID in its KSN, the highest transaction counter accepted so far. A KSN whose counter is not above it is a
 * replay (the same block posted twice, a copied request) or a device that went back, and is refused.
 *
 * In memory by default. With `file` the record survives restarts: it is read at start (a damaged one stops the
 * start: an empty record would silently accept every block again) and rewritten durably before a counter counts
 * as accepted.
 *
 *   { "format": "tenkey-accepted-ksns/1", "highest": { "<initial key ID, 16 hex>": <counter>, … } }
 */
import { CodedError } from '../protocol/coded-error.js';
import { writeFileDurably } from '../protocol/durable-write.js';
import { readStateFile } from '../protocol/state-file.js';
import { PaymentSimError } from './errors.js';

export const ACCEPTED_KSNS_FORMAT = 'tenkey-accepted-ksns/1';

/** The file holding the record is missing pieces or is something else: the service will not start without it. */
export class AcceptedKsnsFileError extends CodedError<'UNREADABLE_ACCEPTED_KSNS'> {}

export interface AcceptedKsnsOptions {
  /** Keep the record in this file (created on the first accepted KSN). Default: memory only. */
  file?: string;
}

export class AcceptedKsns {
  readonly #file: string | undefined;
  readonly #highest: Map<string, number>;

  constructor(options: AcceptedKsnsOptions = {}) {
    this.#file = options.file;
    this.#highest = this.#file === undefined ? new Map() : readRecord(this.#file);
  }

  /** The highest counter accepted from the device with this initial key ID (hex), if any. */
  highestOf(initialKeyId: string): number | undefined {
    return this.#highest.get(initialKeyId.toLowerCase());
  }

  /**
   * Records `counter` as the device's highest, or throws PaymentSimError REPLAYED_KSN when it is not above the
   * highest already accepted. Persisted (with `file`) before it returns.
   */
  accept(initialKeyId: string, counter: number): void {
    const device = initialKeyId.toLowerCase();
    const highest = this.#highest.get(device);
    if (highest !== undefined && counter <= highest) {
      throw new PaymentSimError('REPLAYED_KSN', 'this card block was already used, or its keypad counter went back: the card must be entered on the keypad again');
    }
    if (this.#file !== undefined) {
      const record = Object.fromEntries([...this.#highest, [device, counter]]);
      writeFileDurably(this.#file, `${JSON.stringify({ format: ACCEPTED_KSNS_FORMAT, highest: record }, null, 2)}\n`);
    }
    this.#highest.set(device, counter);
  }
}

function readRecord(file: string): Map<string, number> {
  const damaged = (why: string, cause?: unknown): AcceptedKsnsFileError =>
    new AcceptedKsnsFileError('UNREADABLE_ACCEPTED_KSNS', `${file} is damaged (${why}); without it replayed card blocks would be accepted again`, { cause });
  const json = readStateFile(file, ACCEPTED_KSNS_FORMAT, {
    cannotRead: (code, cause) => new AcceptedKsnsFileError('UNREADABLE_ACCEPTED_KSNS', `cannot read ${file} (${code})`, { cause }),
    damaged,
  });
  if (json === undefined) return new Map();
  const { highest } = json;
  if (typeof highest !== 'object' || highest === null || Array.isArray(highest)) throw damaged(`format is not ${ACCEPTED_KSNS_FORMAT}`);
  const record = new Map<string, number>();
  for (const [device, counter] of Object.entries(highest)) {
    if (!/^[0-9a-f]{16}$/.test(device) || !Number.isSafeInteger(counter) || (counter as number) < 0 || (counter as number) > 0xffffffff) throw damaged('an entry is not an initial key ID and a counter');
    record.set(device, counter as number);
  }
  return record;
}
