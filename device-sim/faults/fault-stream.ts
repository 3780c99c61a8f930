/**
 * A bad wire between device and host: bytes in, the same bytes out minus drops, with bit flips and duplicates,
 * later by `delayMs`, or nothing at all when `silent`. Seeded, so a failing run replays exactly from its seed:
 * random draws happen per byte in order, so the output does not depend on how the input was chunked.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { systemClock, type Clock } from '../../protocol/clock.js';
import { toFaultSpec, type FaultSpec } from './fault-spec.js';
import { mulberry32, type Random } from './prng.js';

export interface FaultStreamOptions {
  /** Faults to apply; only drop, corrupt, duplicate, delayMs, seed and silent concern bytes. */
  faults: Partial<FaultSpec> | string;
  /** Timer for delayMs. Default systemClock. */
  clock?: Clock;
}

export interface FaultStreamStats {
  bytesIn: number;
  bytesOut: number;
  dropped: number;
  corrupted: number;
  duplicated: number;
  /** Bytes swallowed by `silent`. */
  silenced: number;
}

export class FaultStream extends Transform {
  readonly faults: FaultSpec;
  readonly stats: FaultStreamStats = { bytesIn: 0, bytesOut: 0, dropped: 0, corrupted: 0, duplicated: 0, silenced: 0 };

  readonly #clock: Clock;
  readonly #random: Random;
  /** Chunks waiting out the delay, oldest first; one timer at a time keeps them in order on any Clock. */
  readonly #delayed: { dueAt: number; bytes: Buffer }[] = [];
  #timer: unknown;
  #onDrained: (() => void) | undefined;

  constructor(options: FaultStreamOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object');
    this.faults = toFaultSpec(options.faults);
    this.#clock = options.clock ?? systemClock;
    this.#random = mulberry32(this.faults.seed);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.stats.bytesIn += chunk.length;
    if (this.faults.silent) {
      this.stats.silenced += chunk.length;
      callback();
      return;
    }
    const out = this.#damage(chunk);
    if (out.length > 0) {
      if (this.faults.delayMs > 0) this.#delay(out);
      else this.#emit(out);
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#delayed.length === 0) callback();
    else this.#onDrained = () => callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#delayed.length = 0;
    callback(error);
  }

  #damage(chunk: Buffer): Buffer {
    const { drop, corrupt, duplicate } = this.faults;
    if (drop === 0 && corrupt === 0 && duplicate === 0) return chunk;
    const out = Buffer.allocUnsafe(chunk.length * 2);
    let length = 0;
    for (const original of chunk) {
      if (drop > 0 && this.#random() < drop) {
        this.stats.dropped++;
        continue;
      }
      let byte = original;
      if (corrupt > 0 && this.#random() < corrupt) {
        byte ^= 1 << Math.floor(this.#random() * 8);
        this.stats.corrupted++;
      }
      out[length++] = byte;
      if (duplicate > 0 && this.#random() < duplicate) {
        out[length++] = byte;
        this.stats.duplicated++;
      }
    }
    return out.subarray(0, length);
  }

  #emit(bytes: Buffer): void {
    this.stats.bytesOut += bytes.length;
    this.push(bytes);
  }

  #delay(bytes: Buffer): void {
    this.#delayed.push({ dueAt: this.#clock.now() + this.faults.delayMs, bytes });
    if (this.#timer === undefined) this.#arm();
  }

  #arm(): void {
    const head = this.#delayed[0];
    if (head === undefined) return;
    this.#timer = this.#clock.setTimeout(() => this.#release(), Math.max(0, head.dueAt - this.#clock.now()));
  }

  #release(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    while (this.#delayed[0] !== undefined && this.#delayed[0].dueAt <= now) {
      const head = this.#delayed.shift();
      if (head !== undefined) this.#emit(head.bytes);
    }
    if (this.#delayed.length > 0) this.#arm();
    else this.#onDrained?.();
  }
}
