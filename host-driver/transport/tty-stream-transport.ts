/**
 * The serial transport for ttys on Linux and macOS (the simulator's PTY, a USB serial adapter): serialport opens,
 * locks, configures (raw 8N1, baud rate) and flushes the port and keeps that fd open, untouched; the bytes move on a
 * second fd of the same tty wrapped in a libuv TTY stream (`tty.ReadStream`, as node-pty reads its master). Reads
 * then wake on epoll/kqueue and writes go out at once from the event loop (libuv queues them only when the tty is
 * full), instead of serialport's fs.read/fs.write round trips through libuv's thread pool: about a quarter less CPU
 * per entry and no thread-pool queue under many ports (README, Benchmarks). Windows COM ports stay on serialport.
 *
 * Termios settings belong to the tty, not to an fd, so the second fd reads raw as serialport set it; the lock is
 * serialport's flock on its own fd, held until close. A hang-up (the simulator closing its PTY, an adapter pulled)
 * ends the stream at once: the transport closes with EIO instead of waiting for the link's keepalive.
 */
import { EventEmitter } from 'node:events';
import { close as closeFd, constants, open as openFd } from 'node:fs';
import { ReadStream } from 'node:tty';
import type { SerialPort } from 'serialport';
import type { ByteTransport, ByteTransportEvents } from './byte-transport.js';
import { withConnectDeadline } from './connect-deadline.js';
import { closePort, openSerialPort, type SerialTransportOptions } from './serial-transport.js';

/** Platforms whose libuv reads a tty as a stream (epoll on Linux, kqueue with a select thread on macOS). */
export function ttyStreamSupported(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux' || platform === 'darwin';
}

interface OpenTty {
  port: SerialPort;
  stream: ReadStream;
}

export async function openTtyStreamTransport(path: string, options: SerialTransportOptions = {}): Promise<ByteTransport> {
  const timeoutMs = options.connectTimeoutMs ?? 3000;
  const startedAt = performance.now();
  const port = await openSerialPort(path, options);
  const opening = (async (): Promise<OpenTty> => {
    try {
      return { port, stream: await openStream(path) };
    } catch (error) {
      await closePort(port);
      throw error;
    }
  })();
  const { stream } = await withConnectDeadline(opening, {
    timeoutMs: Math.max(1, timeoutMs - (performance.now() - startedAt)),
    what: path,
    release: (late) => endStream(late.stream).then(() => closePort(late.port)),
  });
  return new TtyStreamTransport(path, port, stream);
}

/** The second fd, non-blocking, never the controlling terminal, as a libuv TTY stream. Throws for a non-tty. */
async function openStream(path: string): Promise<ReadStream> {
  const fd = await new Promise<number>((resolve, reject) => {
    openFd(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK, (error, opened) => (error ? reject(error) : resolve(opened)));
  });
  let stream: ReadStream;
  try {
    stream = new ReadStream(fd);
  } catch (error) {
    closeFd(fd, () => {});
    throw error;
  }
  // libuv reopens a tty that is not a PTY master by its name and works on that new fd (the stream's close releases
  // it); ours is then only a second reference, closed here. Otherwise the handle owns ours and closes it itself.
  const handleFd = (stream as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof handleFd === 'number' && handleFd >= 0 && handleFd !== fd) closeFd(fd, () => {});
  return stream;
}

function endStream(stream: ReadStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed) return resolve();
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

function hangUpError(path: string): Error {
  // Worded as Node words an fs EIO ("EIO: i/o error, …"): what a read or write on the hung-up port would have said.
  const error: NodeJS.ErrnoException = new Error(`EIO: i/o error, ${path} hung up (the keypad's end of the line closed)`);
  error.code = 'EIO';
  return error;
}

class TtyStreamTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  #closing: Promise<void> | undefined;

  constructor(readonly description: string, private readonly port: SerialPort, private readonly stream: ReadStream) {
    super();
    stream.on('data', (bytes: Buffer) => {
      if (this.#closing === undefined) this.emit('data', bytes);
    });
    stream.on('error', (error: Error) => void this.#end(error));
    // EOF on a tty is a hang-up: the device side is gone (net.Socket then closes the stream by itself).
    stream.on('end', () => void this.#end(hangUpError(description)));
    stream.on('close', () => void this.#end(hangUpError(description)));
  }

  write(bytes: Buffer): void {
    if (this.#closing !== undefined || this.stream.destroyed) return;
    this.stream.write(bytes);
  }

  get writableLength(): number {
    return this.stream.writableLength;
  }

  close(): Promise<void> {
    return this.#end(undefined);
  }

  #end(error: Error | undefined): Promise<void> {
    if (this.#closing) return this.#closing;
    // Late errors from a dying stream or port must not become unhandled 'error' events.
    this.stream.on('error', () => {});
    this.port.on('error', () => {});
    this.#closing = (async () => {
      await endStream(this.stream);
      await closePort(this.port);
      this.emit('close', error);
    })();
    return this.#closing;
  }
}
