import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { ByteTransport, ByteTransportEvents } from './byte-transport.js';
import { withConnectDeadline } from './connect-deadline.js';

export interface TcpTransportOptions {
  /** Give up connecting after this long (ms): TenkeyError CONNECTION / CONNECT_TIMEOUT. Default 3000. */
  connectTimeoutMs?: number;
}

/**
 * close() sends FIN and waits this long at most for the keypad's FIN back: once it comes, the keypad has let this
 * host go, so a new connection right after is not refused BUSY (PROTOCOL.md §6.4). Past it the socket is destroyed.
 */
export const TCP_CLOSE_GRACE_MS = 1000;

/** Connects to a keypad on the store LAN (or the simulator's TCP listener). */
export function openTcpTransport(host: string, port: number, options: TcpTransportOptions = {}): Promise<ByteTransport> {
  const description = `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const socket = connect({ host, port });
  const connecting = new Promise<Socket>((resolve, reject) => {
    const onError = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
  return withConnectDeadline(connecting, {
    timeoutMs: options.connectTimeoutMs ?? 3000,
    what: description,
    // A destroyed socket emits no 'error': the attempt simply ends, and `connecting` never settles.
    onTimeout: () => socket.destroy(),
    release: (late) => late.destroy(),
  }).then((connected) => {
    connected.setNoDelay(true);
    return new TcpTransport(description, connected);
  });
}

class TcpTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  #closed = false;
  #closing: Promise<void> | undefined;
  #error: Error | undefined;

  constructor(readonly description: string, private readonly socket: Socket) {
    super();
    // While closing, what the keypad still sends is read and dropped: unread bytes would make close() reset the link.
    socket.on('data', (bytes: Buffer) => {
      if (!this.#closed) this.emit('data', bytes);
    });
    socket.on('error', (err: Error) => {
      this.#error ??= err;
    });
    // 'close' follows 'error' and 'end' alike; a peer's clean FIN is a loss too (the keypad went away).
    socket.on('end', () => socket.destroy());
    socket.on('close', () => void this.#end(this.#error ?? resetError(this.description)));
  }

  write(bytes: Buffer): void {
    if (this.#closed || this.socket.destroyed) return;
    this.socket.write(bytes);
  }

  get writableLength(): number {
    return this.socket.writableLength;
  }

  close(): Promise<void> {
    return this.#end(undefined);
  }

  #end(error: Error | undefined): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#closing = new Promise<void>((resolve) => {
      const { socket } = this;
      if (socket.closed) return resolve();
      socket.once('close', () => resolve());
      if (error !== undefined || socket.destroyed) {
        socket.destroy();
        return;
      }
      // Our own close: FIN, then wait (bounded) for the keypad's FIN back, which comes once it has let us go.
      const grace = setTimeout(() => socket.destroy(), TCP_CLOSE_GRACE_MS);
      grace.unref();
      socket.once('close', () => clearTimeout(grace));
      socket.end();
    }).then(() => {
      this.emit('close', error);
    });
    return this.#closing;
  }
}

function resetError(description: string): Error {
  const err: NodeJS.ErrnoException = new Error(`connection to ${description} closed by the keypad`);
  err.code = 'ECONNRESET';
  return err;
}
