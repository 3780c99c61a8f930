/**
 * An in-memory cable between the host driver and a VirtualKeypad: the keypad's end is a Duplex (what
 * VirtualKeypad.attach() takes), the host's end the driver's ByteTransport, joined directly rather than through a
 * second stream (node's duplexPair): a chunk crosses in one hop, as a socket hands it over, for a fraction of the
 * work. When faults are given, a FaultStream sits in each direction. Each cable draws its own faults from its own
 * seed, so a reconnect meets a new stretch of bad line rather than a replay of the last.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { FaultStream } from '../device-sim/faults/fault-stream.js';
import type { FaultSpec } from '../device-sim/faults/fault-spec.js';
import type { ByteTransport, ByteTransportEvents } from '../host-driver/transport/byte-transport.js';
import type { Clock } from '../protocol/clock.js';

export interface MemoryCableOptions {
  /** Byte faults for both directions (drop, corrupt, duplicate, delayMs, seed); none when absent. */
  faults?: Partial<FaultSpec>;
  /** Timer of the faults' delay. */
  clock?: Clock;
  description?: string;
}

export interface MemoryCable {
  /** What the driver holds (openTransport resolves with it). */
  host: ByteTransport;
  /** What VirtualKeypad.attach() takes. */
  device: Duplex;
  /** host → device and device → host fault streams (their stats count what the line did). */
  faults: { toDevice: FaultStream; toHost: FaultStream } | undefined;
}

/**
 * The keypad's end of the cable. What the keypad writes goes to `toHost`; what the host sends arrives by
 * push() (the host cannot be told to slow down, as over a socket: the keypad's write budget guards the other way).
 */
class KeypadEnd extends Duplex {
  toHost: (bytes: Buffer) => void = () => {};

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.toHost(chunk);
    callback();
  }

  override _read(): void {}
}

class MemoryTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  readonly #end: KeypadEnd;
  readonly #toDevice: FaultStream | undefined;
  readonly #closed: Promise<void>;

  constructor(readonly description: string, end: KeypadEnd, faults: MemoryCable['faults']) {
    super();
    this.#end = end;
    this.#toDevice = faults?.toDevice;
    // A socket hands bytes over in a later tick, never inside the peer's write(); so does this cable.
    const deliver = (bytes: Buffer): void => process.nextTick(() => this.emit('data', bytes));
    if (faults === undefined) {
      end.toHost = deliver;
    } else {
      end.toHost = (bytes) => { if (!faults.toHost.destroyed) faults.toHost.write(bytes); };
      faults.toHost.on('data', deliver);
      faults.toDevice.on('data', (bytes: Buffer) => this.#push(bytes));
    }
    end.on('error', () => {}); // the 'close' that follows is what the driver acts on
    this.#closed = new Promise((resolve) => {
      end.once('close', () => {
        faults?.toDevice.destroy();
        faults?.toHost.destroy();
        this.emit('close', undefined);
        resolve();
      });
    });
  }

  #push(bytes: Buffer): void {
    if (!this.#end.destroyed) this.#end.push(bytes);
  }

  write(bytes: Buffer): void {
    process.nextTick(() => {
      if (this.#end.destroyed) return;
      if (this.#toDevice === undefined) this.#push(bytes);
      else if (!this.#toDevice.destroyed) this.#toDevice.write(bytes);
    });
  }

  close(): Promise<void> {
    this.#end.destroy();
    return this.#closed;
  }
}

/** A fresh cable; make a new one for every (re)connect, as a new socket would be. */
export function memoryCable(options: MemoryCableOptions = {}): MemoryCable {
  // Either end going away takes the other with it, as unplugging a cable does: the host's end is closed by the
  // keypad's end closing, and closes it.
  const keypadEnd = new KeypadEnd();
  const { faults, clock } = options;
  const streams = faults === undefined ? undefined : {
    toDevice: new FaultStream({ faults, ...(clock ? { clock } : {}) }),
    // The other direction gets its own random sequence.
    toHost: new FaultStream({ faults: { ...faults, seed: ((faults.seed ?? 1) ^ 0x5bd1e995) >>> 0 }, ...(clock ? { clock } : {}) }),
  };
  for (const s of [streams?.toDevice, streams?.toHost]) s?.on('error', () => {});
  return { host: new MemoryTransport(options.description ?? 'memory://keypad', keypadEnd, streams), device: keypadEnd, faults: streams };
}
