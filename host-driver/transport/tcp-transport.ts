import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { ByteTransport, ByteTransportEvents } from './byte-transport.js';

export interface TcpTransportOptions {
  /** Give up connecting after this long (ms); the error has code ETIMEDOUT. Default 3000. */
  connectTimeoutMs?: number;
}

/** Connects to a keypad on the store LAN (or the simulator's TCP listener). */
export function openTcpTransport(host: string, port: number, options: TcpTransportOptions = {}): Promise<ByteTransport> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 3000;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      const err: NodeJS.ErrnoException = new Error(`connect ETIMEDOUT ${host}:${port}`);
      err.code = 'ETIMEDOUT';
      socket.destroy();
      reject(err);
    }, connectTimeoutMs);
    timer.unref();
    const onError = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(new TcpTransport(`tcp://${host}:${port}`, socket));
    });
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
