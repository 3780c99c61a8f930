import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import type { ByteTransport, ByteTransportEvents } from './byte-transport.js';
import { withConnectDeadline } from './connect-deadline.js';

export interface SerialTransportOptions {
  /** Line speed. A standard rate: non-standard ones need termios2 ioctls that a PTY refuses (ENOTTY). Default 115200. */
  baudRate?: number;
  /** Give up opening after this long (ms): TenkeyError CONNECTION / CONNECT_TIMEOUT (a port that hangs in open()). Default 3000. */
  connectTimeoutMs?: number;
}

/**
 * Opens a serial port (a USB keypad, or the simulator's PTY). PTY-safe: only termios calls that a
 * pseudo-terminal supports are made — a standard baud rate, no modem-line get/set (TIOCMGET/TIOCMSET
 * fail with ENOTTY on a PTY, and a real keypad needs neither DTR nor DSR), no low-latency ioctl.
 * Stale input the OS buffered before we opened is flushed; stale frames that arrive later are the
 * connection's business (it discards everything until HELLO is answered).
 */
export async function openSerialTransport(path: string, options: SerialTransportOptions = {}): Promise<ByteTransport> {
  return new SerialTransport(path, await openSerialPort(path, options));
}

/**
 * The port opened, locked, configured (raw 8N1 at `baudRate`) and flushed, but not yet read: the serial transport
 * reads it itself, the tty stream transport (tty-stream-transport.ts) moves the bytes on a second fd of the same tty.
 */
export async function openSerialPort(path: string, options: SerialTransportOptions = {}): Promise<SerialPort> {
  const port = new SerialPort({
    path,
    baudRate: options.baudRate ?? 115200,
    autoOpen: false,
    // Exclusive lock: a second program on the same keypad would steal frames.
    lock: true,
    // Leave the lines alone on close: nothing here depends on modem lines.
    hupcl: false,
    rtscts: false,
  });
  const opening = (async () => {
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    try {
      await new Promise<void>((resolve, reject) => port.flush((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      await closePort(port);
      throw err;
    }
    return port;
  })();
  // open() can hang in the kernel (a wedged USB adapter); nothing can stop it, so a late open is closed.
  return withConnectDeadline(opening, { timeoutMs: options.connectTimeoutMs ?? 3000, what: path, release: closePort });
}

export function closePort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve();
    port.close(() => resolve());
  });
}

class SerialTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(readonly description: string, private readonly port: SerialPort) {
    super();
    port.on('data', (bytes: Buffer) => this.emit('data', bytes));
    // A PTY whose master went away reads EIO; an unplugged USB adapter reports a disconnect close.
    port.on('error', (err: Error) => void this.#end(err));
    port.on('close', (err: Error | null) => void this.#end(err ?? undefined));
  }

  write(bytes: Buffer): void {
    if (this.#closed) return;
    this.port.write(bytes);
  }

  get writableLength(): number {
    return this.port.writableLength;
  }

  close(): Promise<void> {
    return this.#end(undefined);
  }

  #end(error: Error | undefined): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#closing = (async () => {
      await closePort(this.port);
      this.port.removeAllListeners('data');
      // Late errors from a dying port must not become unhandled 'error' events.
      this.port.on('error', () => {});
      this.emit('close', error);
    })();
    return this.#closing;
  }
}
