/**
 * An in-memory cable between the host driver and a VirtualKeypad: the keypad's end is a Duplex (what
 * VirtualKeypad.attach() takes), the host's end the driver's ByteTransport, joined directly rather than through a
 * second stream (node's duplexPair): a chunk crosses in one hop, as a socket hands it over, for a fraction of the
 * work. A replayer playing the keypad holds a bare end instead (bareMemoryCable): no stream at all on its side. When faults are given, a FaultStream sits in each direction. Each cable draws its own faults from its own
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

/** What the host's end needs of the keypad's end: bytes pushed in, bytes taken out (toHost), closing both ways. */
interface KeypadSide {
  toHost: (bytes: Buffer) => void;
  push(bytes: Buffer): unknown;
  readonly destroyed: boolean;
  destroy(): unknown;
  on(event: 'error', listener: () => void): unknown;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * The keypad's end of the cable, for a VirtualKeypad (or any stream user). What the keypad writes goes to
 * `toHost`; what the host sends arrives by push() (the host cannot be told to slow down, as over a socket: the
 * keypad's write budget guards the other way).
 */
class KeypadEnd extends Duplex implements KeypadSide {
  toHost: (bytes: Buffer) => void = () => {};

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.toHost(chunk);
    callback();
  }

  override _read(): void {}
}

/** The keypad's end as a replayer holds it (it plays the keypad itself): bytes in and out, no stream around them. */
export interface BareKeypadEnd {
  on(event: 'data', listener: (bytes: Buffer) => void): this;
  on(event: 'close', listener: () => void): this;
  write(bytes: Buffer): void;
  destroy(): void;
  readonly destroyed: boolean;
}

class BareEnd extends EventEmitter implements KeypadSide, BareKeypadEnd {
  toHost: (bytes: Buffer) => void = () => {};
  #destroyed = false;

  get destroyed(): boolean {
    return this.#destroyed;
  }

  write(bytes: Buffer): void {
    if (!this.#destroyed) this.toHost(bytes);
  }

  push(bytes: Buffer): void {
    this.emit('data', bytes);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    process.nextTick(() => this.emit('close')); // as a stream's 'close' comes
  }
}

class MemoryTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  readonly #end: KeypadSide;
  readonly #toDevice: FaultStream | undefined;
  readonly #closed: Promise<void>;

  constructor(readonly description: string, end: KeypadSide, faults: MemoryCable['faults']) {
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
  const keypadEnd = new KeypadEnd();
  const faults = faultStreams(options);
  return { host: new MemoryTransport(options.description ?? 'memory://keypad', keypadEnd, faults), device: keypadEnd, faults };
}

/**
 * A cable whose keypad end is held by code that plays the keypad itself (a replayer), not by a VirtualKeypad:
 * the same host end, no stream on the other. No faults (the recording has the line's damage in it already).
 */
export function bareMemoryCable(description: string): { host: ByteTransport; device: BareKeypadEnd } {
  const keypadEnd = new BareEnd();
  return { host: new MemoryTransport(description, keypadEnd, undefined), device: keypadEnd };
}

function faultStreams({ faults, clock }: MemoryCableOptions): MemoryCable['faults'] {
  if (faults === undefined) return undefined;
  const streams = {
    toDevice: new FaultStream({ faults, ...(clock ? { clock } : {}) }),
    // The other direction gets its own random sequence.
    toHost: new FaultStream({ faults: { ...faults, seed: ((faults.seed ?? 1) ^ 0x5bd1e995) >>> 0 }, ...(clock ? { clock } : {}) }),
  };
  for (const s of [streams.toDevice, streams.toHost]) s.on('error', () => {});
  return streams;
}
