/**
 * Hostile peers over real TCP for the memory-bound rows and the flood bench (issue #13): a host that asks and asks
 * but never reads an answer, and a "keypad" that completes HELLO and then floods STATUS without reading. Each writes
 * as fast as the other end takes its bytes (its own write backpressure honoured, so the flooder's memory stays
 * flat and what grows, if anything, is the victim's), and never reads a byte back.
 */
import { EventEmitter, once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ByteTransport, ByteTransportEvents } from '../../host-driver/transport/byte-transport.js';
import { encodeFrame, FrameDecoder, type DeviceMessage, type Frame, type HostMessage } from '../../protocol/index.js';

export type HostFloodKind = 'GET_STATUS' | 'PING';

export interface Flood {
  /** Frames written so far. */
  readonly frames: number;
  /** Resolves when the victim closed the connection (or stop() did). */
  readonly closed: Promise<void>;
  stop(): void;
}

/** Frames per write: one syscall for many frames, and the event loop gets a turn between writes (the victim may share it). */
const FRAMES_PER_WRITE = 512;

/** Writes `next()` frames as fast as the socket takes them (waits for 'drain' when it does not); undefined ends it. */
function pump(socket: Socket, next: () => Buffer | undefined, counter: { frames: number }): void {
  const batch = (): void => {
    if (socket.destroyed || !socket.writable) return;
    const frames: Buffer[] = [];
    let ended = false;
    while (frames.length < FRAMES_PER_WRITE) {
      const frame = next();
      if (frame === undefined) {
        ended = true;
        break;
      }
      frames.push(frame);
    }
    counter.frames += frames.length;
    const more = socket.write(Buffer.concat(frames));
    if (ended) socket.end();
    else if (more) setImmediate(batch);
    else socket.once('drain', batch);
  };
  batch();
}

/**
 * A host at `port` that says HELLO, then sends `kind` frames (fresh seq each, PING with fresh nonces) without pause
 * and never reads: not the answers, not the ACKs. `limit` stops after that many flood frames (default: no limit).
 */
export async function floodKeypad(port: number, kind: HostFloodKind, limit = Infinity): Promise<Flood> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.pause(); // never read: the keypad's answers and ACKs pile up on its side, if it lets them
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let seq = 0;
  const counter = { frames: 0 };
  socket.write(encodeFrame({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, seq));
  const message = (n: number): HostMessage => (kind === 'PING' ? { type: 'PING', nonce: n } : { type: 'GET_STATUS' });
  const flood = (): Buffer | undefined => {
    if (counter.frames >= limit) return undefined;
    seq = (seq + 1) & 0xff;
    return encodeFrame(message(counter.frames + 1), seq);
  };
  pump(socket, flood, counter);
  return { get frames() { return counter.frames; }, closed, stop: () => socket.destroy() };
}

export interface FloodingKeypad {
  readonly port: number;
  readonly address: string;
  /** Connections the flooder served (a driver that reconnects after being dropped comes back). */
  readonly connections: number;
  /** STATUS frames written over all connections. */
  readonly frames: number;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

const INFO: DeviceMessage = {
  type: 'INFO', protocolVersion: 1, model: 'FLOOD', firmwareVersion: '1', serialNumber: 'F-1', keySetId: new Uint8Array(8), acceptedBrands: ['visa'],
};
const STATUS: DeviceMessage = { type: 'STATUS', state: 'IDLE', sessionId: 0, field: 'NONE', digits: 0, secondsLeft: 0, notice: 'NONE' };

/**
 * A "keypad" that answers the host's first HELLO (ACK, INFO) and then floods STATUS, fresh seq each, without reading
 * anything more: the host's ACKs for the flood pile up on the host's side, if it lets them.
 */
export async function floodingKeypad(port = 0): Promise<FloodingKeypad> {
  const sockets = new Set<Socket>();
  const counter = { frames: 0 };
  let connections = 0;
  const server: Server = createServer({ noDelay: true }, (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
    const decoder = new FrameDecoder();
    socket.on('data', (bytes: Buffer) => decoder.write(bytes));
    decoder.on('error', () => {});
    decoder.on('data', (frame: Frame) => {
      if (frame.message.type !== 'HELLO') return;
      decoder.removeAllListeners('data');
      socket.removeAllListeners('data');
      socket.pause();
      socket.write(encodeFrame({ type: 'ACK' }, frame.seq, { fromDevice: true }));
      let seq = 0;
      socket.write(encodeFrame(INFO, seq));
      pump(socket, () => encodeFrame(STATUS, (seq = (seq + 1) & 0xff)), counter);
    });
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    address: `tcp://127.0.0.1:${bound}`,
    get connections() { return connections; },
    get frames() { return counter.frames; },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The same flooding "keypad" as a driver transport in memory, for a check that must not wait for kernel socket
 * buffers to fill: it answers HELLO, then pushes STATUS frames without pause, and never takes a byte of what the
 * driver writes (its `writableLength` only grows, as a socket's does when the far end stops reading).
 */
export class FloodingKeypadTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  readonly description = 'memory://flooding-keypad';
  /** Most bytes the driver had waiting here at once. */
  mostUnwritten = 0;
  #unwritten = 0;
  #closed = false;
  readonly #decoder = new FrameDecoder();

  constructor() {
    super();
    this.#decoder.on('error', () => {});
    this.#decoder.on('data', (frame: Frame) => {
      if (frame.message.type !== 'HELLO') return;
      this.#decoder.removeAllListeners('data');
      let seq = 0;
      const batch = (): void => {
        if (this.#closed) return;
        const frames = Array.from({ length: FRAMES_PER_WRITE }, () => encodeFrame(STATUS, (seq = (seq + 1) & 0xff)));
        this.emit('data', Buffer.concat(frames));
        setImmediate(batch);
      };
      setImmediate(() => {
        this.emit('data', Buffer.concat([encodeFrame({ type: 'ACK' }, frame.seq, { fromDevice: true }), encodeFrame(INFO, 0)]));
        setImmediate(batch);
      });
    });
  }

  get writableLength(): number {
    return this.#unwritten;
  }

  write(bytes: Buffer): void {
    if (this.#closed) return;
    // Only the HELLO is read; everything after it stays "unwritten", as with a peer that stopped reading.
    if (this.#decoder.listenerCount('data') > 0) this.#decoder.write(bytes);
    else this.#unwritten += bytes.length;
    this.mostUnwritten = Math.max(this.mostUnwritten, this.#unwritten);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#decoder.destroy();
    this.emit('close', undefined);
  }
}
