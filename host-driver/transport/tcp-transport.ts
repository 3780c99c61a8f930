import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { ByteTransport, ByteTransportEvents } from './byte-transport.js';
import { withConnectDeadline } from './connect-deadline.js';

export interface TcpTransportOptions {
  /** Give up connecting after this long (ms): TenkeyError CONNECTION / CONNECT_TIMEOUT. Default 3000. */
  connectTimeoutMs?: number;
}

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
    socket.on('data', (bytes: Buffer) => this.emit('data', bytes));
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

  close(): Promise<void> {
    return this.#end(undefined);
  }

  #end(error: Error | undefined): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#closing = new Promise<void>((resolve) => {
      if (this.socket.closed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.destroy();
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
