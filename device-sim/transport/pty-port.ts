/**
 * The virtual keypad's serial port: a pseudo-terminal whose slave side (/dev/pts/N, or a stable symlink to it) a
 * host opens exactly like a USB serial adapter, while the device reads and writes the master side.
 *
 * Kernel facts this file is built around (each is covered by test/transport/pty-port.test.ts):
 * - Raw mode is set on the slave before any byte moves (native/pty.c): a cooked pty would echo the device's own
 *   frames back to it and rewrite 0x0d, 0x0a, ^C, XON/XOFF and 0x7f.
 * - The simulator keeps one slave fd open and never reads it. Without it, reading the master fails with EIO
 *   whenever no host has the port open; with it, a host closing and reopening the port is an ordinary event.
 * - Bytes the device writes while no host has the port open wait in the pty for the next host to open it.
 *   serialport's open() discards them (tcflush TCIOFLUSH when it sets the baud rate), other programs may read
 *   them: the device therefore never sends unsolicited frames. `discardPending()` empties both queues on demand.
 * - There are no modem lines: DTR/RTS/DSR ioctls (TIOCMGET/TIOCMSET) fail with ENOTTY, so nothing may depend on
 *   them. serialport's open() sets none; hosts must not call port.set()/get(), and must use a standard baud
 *   rate (a custom rate needs TIOCGSERIAL, which a pty lacks). The baud rate itself is meaningless on a pty.
 *   Hosts must keep serialport's xon/xoff/xany false (the default): with them the host's tty would swallow the
 *   0x11/0x13 bytes of our frames. hupcl and rtscts make no difference on a pty.
 * - close() hangs up the slave ("unplug"). A host's serialport sees it as a disconnect when its poll wakes on the
 *   hangup, but if a read was in flight it gets EOF and retries silently; its writes then fail with EIO. Hosts
 *   must therefore detect a vanished device by the link's own liveness (PING), not by a 'close' event alone.
 */
import { closeSync, lstatSync, readlinkSync, renameSync, symlinkSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Duplex } from 'node:stream';
import { ReadStream } from 'node:tty';
import { CodedError } from '../../protocol/coded-error.js';
import { loadNativePty, PtyQueue } from './native-pty.js';

export interface PtyPortOptions {
  /**
   * Stable path a host opens (like socat's `link=`): a symlink to this PTY's slave, created (or atomically
   * re-pointed) on open and removed on close. Its folder must exist. Refuses to replace anything but a symlink.
   */
  link?: string;
}

/** How long to wait before retrying a write the pty refused because no host is reading (its buffer is full). */
const WRITE_RETRY_MS = 10;

export class PtyPortError extends CodedError<'LINK_NOT_SYMLINK' | 'PTY_WRITE_FAILED' | 'PTY_READ_FAILED' | 'PTY_CLOSED'> {}

/**
 * Duplex over the master side: readable = bytes the host wrote, writable = bytes delivered to the host.
 * `close()` (or `destroy()`) releases every fd, the symlink and every handle, and never throws.
 */
export class PtyPort extends Duplex {
  /** The slave's device path, e.g. /dev/pts/3. */
  readonly path: string;
  /** The stable symlink, when one was asked for. */
  readonly link: string | undefined;

  readonly #masterFd: number;
  readonly #slaveFd: number;
  readonly #reader: ReadStream;
  #retryTimer: NodeJS.Timeout | undefined;
  #pendingWrite: { bytes: Buffer; callback: (error?: Error | null) => void } | undefined;

  static open(options: PtyPortOptions = {}): PtyPort {
    return new PtyPort(options);
  }

  constructor(options: PtyPortOptions = {}) {
    super({ allowHalfOpen: true });
    const native = loadNativePty();
    const pty = native.openRawPty();
    this.#masterFd = pty.masterFd;
    this.#slaveFd = pty.slaveFd;
    this.path = pty.path;
    this.link = options.link;
    try {
      if (options.link !== undefined) pointLink(options.link, pty.path);
      // A TTY handle polls the fd with epoll like node-pty does: no thread parked in read(), no event-loop hold.
      this.#reader = new ReadStream(pty.masterFd);
    } catch (error) {
      closeQuietly(pty.masterFd);
      closeQuietly(pty.slaveFd);
      throw error;
    }
    this.#reader.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.#reader.pause();
    });
    this.#reader.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EAGAIN') return;
      // Cannot happen while we hold the slave open; if the kernel says otherwise, report it once, typed.
      this.destroy(new PtyPortError('PTY_READ_FAILED', `reading ${this.path} failed: ${error.code ?? error.message}`, { cause: error }));
    });
  }

  /** What a host should open: the stable link when there is one, else the slave path. */
  get address(): string {
    return this.link ?? this.path;
  }

  /** Drop bytes neither side has read yet (device→host and host→device), e.g. after a simulated replug. */
  discardPending(): void {
    if (this.destroyed) return;
    loadNativePty().discardPending(this.#slaveFd, PtyQueue.BOTH);
  }

  /** Release both fds, the link and all handles. Resolves once done; never rejects. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve();
        return;
      }
      this.once('close', () => resolve());
      this.destroy();
    });
  }

  override _read(): void {
    this.#reader.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#pendingWrite = { bytes: chunk, callback };
    this.#flushPendingWrite();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const unsent = this.#pendingWrite;
    this.#pendingWrite = undefined;
    // The write still waiting for a reader will never complete: tell its caller instead of leaving it hanging.
    unsent?.callback(new PtyPortError('PTY_CLOSED', `${this.path} closed with ${unsent.bytes.length} bytes unsent`));
    const finish = (): void => {
      closeQuietly(this.#slaveFd);
      if (this.link !== undefined) removeLinkIfOurs(this.link, this.path);
      callback(error);
    };
    // Destroying the TTY handle closes the master fd (libuv owns it now): never close it a second time.
    if (this.#reader.closed) finish();
    else {
      this.#reader.once('close', finish);
      this.#reader.destroy();
    }
  }

  // writeSync on the non-blocking master never blocks: it writes what fits or fails with EAGAIN.
  #flushPendingWrite(): void {
    this.#retryTimer = undefined;
    const pending = this.#pendingWrite;
    if (pending === undefined || this.destroyed) return;
    while (pending.bytes.length > 0) {
      let written: number;
      try {
        written = writeSync(this.#masterFd, pending.bytes);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          // The host is not reading and the pty is full: the kernel gives no writable event for a TTY handle
          // we can use here, so poll gently (real time: this is I/O back-pressure, not protocol timing).
          this.#retryTimer = setTimeout(() => this.#flushPendingWrite(), WRITE_RETRY_MS);
          return;
        }
        this.#pendingWrite = undefined;
        const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
        pending.callback(new PtyPortError('PTY_WRITE_FAILED', `writing ${this.path} failed: ${code}`, { cause: error }));
        return;
      }
      pending.bytes = pending.bytes.subarray(written);
    }
    this.#pendingWrite = undefined;
    pending.callback();
  }
}

/** Create `link` → `target`, replacing an existing symlink atomically (rename) so a host never sees it missing. */
function pointLink(link: string, target: string): void {
  let existing;
  try {
    existing = lstatSync(link);
  } catch {
    existing = undefined;
  }
  if (existing !== undefined && !existing.isSymbolicLink()) {
    throw new PtyPortError('LINK_NOT_SYMLINK', `${link} exists and is not a symlink: refusing to replace it`);
  }
  const temporary = join(dirname(link), `.${process.pid}.${Date.now()}.tenkey-link`);
  symlinkSync(target, temporary);
  try {
    renameSync(temporary, link);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // best effort: the rename error below is the one worth reporting
    }
    throw error;
  }
}

/** Remove the link only if it still points at our slave: a newer port may already own it. */
function removeLinkIfOurs(link: string, target: string): void {
  try {
    if (readlinkSync(link) === target) unlinkSync(link);
  } catch {
    // already gone, or re-pointed by someone else: nothing of ours to remove
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // EBADF/EIO on close leave nothing to release
  }
}
