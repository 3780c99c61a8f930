/**
 * An in-memory cable between the host driver and a VirtualKeypad: node's duplexPair, with the host end wrapped
 * as the driver's ByteTransport and, when faults are given, a FaultStream in each direction. Each cable draws its
 * own faults from its own seed, so a reconnect meets a new stretch of bad line rather than a replay of the last.
 */
import { EventEmitter } from 'node:events';
import { duplexPair, type Duplex } from 'node:stream';
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

class MemoryTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  readonly #end: Duplex;
  readonly #toDevice: FaultStream | undefined;
  readonly #closed: Promise<void>;

  constructor(readonly description: string, end: Duplex, faults: MemoryCable['faults']) {
    super();
    this.#end = end;
    this.#toDevice = faults?.toDevice;
    // A socket hands bytes over in a later tick, never inside the peer's write(); so does this cable.
    const deliver = (bytes: Buffer): void => process.nextTick(() => this.emit('data', bytes));
    if (faults === undefined) {
      end.on('data', deliver);
    } else {
      end.on('data', (bytes: Buffer) => { if (!faults.toHost.destroyed) faults.toHost.write(bytes); });
      faults.toHost.on('data', deliver);
      faults.toDevice.on('data', (bytes: Buffer) => { if (!end.destroyed) end.write(bytes); });
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

  write(bytes: Buffer): void {
    process.nextTick(() => {
      if (this.#end.destroyed) return;
      if (this.#toDevice === undefined) this.#end.write(bytes);
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
  const [hostEnd, deviceEnd] = duplexPair();
  // Either end going away takes the other with it, as unplugging a cable does.
  deviceEnd.once('close', () => hostEnd.destroy());
  hostEnd.once('close', () => deviceEnd.destroy());
  const { faults, clock } = options;
  const streams = faults === undefined ? undefined : {
    toDevice: new FaultStream({ faults, ...(clock ? { clock } : {}) }),
    // The other direction gets its own random sequence.
    toHost: new FaultStream({ faults: { ...faults, seed: ((faults.seed ?? 1) ^ 0x5bd1e995) >>> 0 }, ...(clock ? { clock } : {}) }),
  };
  for (const s of [streams?.toDevice, streams?.toHost]) s?.on('error', () => {});
  return { host: new MemoryTransport(options.description ?? 'memory://keypad', hostEnd, streams), device: deviceEnd, faults: streams };
}
