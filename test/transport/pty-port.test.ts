import { execFile, execFileSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdtempSync, openSync, readlinkSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import { fileURLToPath } from 'node:url';
import type { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PtyPort, PtyPortError } from '../../device-sim/transport/pty-port.js';
import { closeHost, openHost, readBytes, settle, writeHost } from './pty-helpers.js';

/** Every byte value, with the ones a cooked tty would interpret (NUL, ^C, LF, CR, XON, XOFF, DEL) first. */
const TRICKY = Buffer.from([0x00, 0x03, 0x0a, 0x0d, 0x11, 0x13, 0x7f, 0x1a, 0x04, 0x1c, 0xff]);
const ALL_BYTES = Buffer.concat([TRICKY, Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);

let dir: string;
const ports: PtyPort[] = [];
const hosts: SerialPort[] = [];
const rawFds: number[] = [];
const rawReaders: ReadStream[] = [];

function openPort(link?: string): PtyPort {
  const port = PtyPort.open(link === undefined ? {} : { link });
  ports.push(port);
  return port;
}
async function host(path: string): Promise<SerialPort> {
  const opened = await openHost(path);
  hosts.push(opened);
  return opened;
}
/** A host that opens the slave without touching its termios (unlike serialport): shows the simulator's own settings. */
function plainHost(path: string): { fd: number; reader: ReadStream } {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  rawFds.push(fd);
  const reader = new ReadStream(fd);
  rawReaders.push(reader);
  return { fd, reader };
}
function ttyNames(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TTYWrap').length;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tenkey-pty-test-'));
});
afterEach(async () => {
  for (const h of hosts.splice(0)) await closeHost(h);
  for (const r of rawReaders.splice(0)) r.destroy();
  for (const fd of rawFds.splice(0)) closeSync(fd);
  for (const p of ports.splice(0)) await p.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('PtyPort', () => {
  it('offers a /dev/pts slave path and, when asked, a stable symlink to it', () => {
    const link = join(dir, 'ttyTENKEY0');
    const port = openPort(link);
    expect(port.path).toMatch(/^\/dev\/pts\/\d+$/);
    expect(port.link).toBe(link);
    expect(port.address).toBe(link);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(port.path);
    expect(openPort().address).toMatch(/^\/dev\/pts\/\d+$/);
  });

  it('carries every byte value both ways unchanged to a serialport host, and never echoes the device its own bytes', async () => {
    const port = openPort();
    const received: Buffer[] = [];
    port.on('data', (chunk: Buffer) => received.push(chunk));
    const h = await host(port.address);

    port.write(ALL_BYTES);
    expect(await readBytes(h, ALL_BYTES.length)).toEqual(ALL_BYTES);

    const fromHost = Buffer.from(ALL_BYTES).reverse();
    await writeHost(h, fromHost);
    await expect.poll(() => Buffer.concat(received).length, { timeout: 5000 }).toBeGreaterThanOrEqual(fromHost.length);
    await settle();
    // With echo on, the device would first read back ALL_BYTES (and ^C/^Z as "^C" text) before the host's bytes.
    expect(Buffer.concat(received)).toEqual(fromHost);
  });

  it('puts the slave in raw mode itself, before any host configures it', async () => {
    const port = openPort();
    const settings = execFileSync('stty', ['-F', port.path, '-a'], { encoding: 'utf8' });
    for (const flag of ['-echo', '-icanon', '-isig', '-iexten', '-icrnl', '-inlcr', '-ixon', '-ixoff', '-opost', '-istrip', 'cs8']) {
      expect(settings.split(/\s+/)).toContain(flag);
    }
    // A host that changes nothing (plain open) still gets CR, LF, ^C and XOFF as plain bytes.
    const { fd, reader } = plainHost(port.path);
    const fromDevice = readBytes(reader, TRICKY.length);
    port.write(TRICKY);
    expect(await fromDevice).toEqual(TRICKY);
    const fromHost = readBytes(port, TRICKY.length);
    writeSync(fd, TRICKY);
    expect(await fromHost).toEqual(TRICKY);
  });

  it('keeps bytes written while no host is open for the next plain reader; serialport discards them on open', async () => {
    const port = openPort();
    port.write(Buffer.from('early'));
    await settle();
    const serial = await host(port.address);
    const serialData: Buffer[] = [];
    serial.on('data', (chunk: Buffer) => serialData.push(chunk));
    await settle();
    expect(Buffer.concat(serialData)).toEqual(Buffer.alloc(0)); // serialport's open() ran tcflush(TCIOFLUSH)
    await closeHost(serial);

    port.write(Buffer.from('stale'));
    await settle();
    const { reader } = plainHost(port.path);
    expect((await readBytes(reader, 5)).toString()).toBe('stale'); // why the device never sends unsolicited frames
  });

  it('discardPending() drops bytes no host has read yet', async () => {
    const port = openPort();
    port.write(Buffer.from('stale'));
    await settle();
    port.discardPending();
    const { reader } = plainHost(port.path);
    const got = readBytes(reader, 5);
    port.write(Buffer.from('fresh'));
    expect((await got).toString()).toBe('fresh');
  });

  it('lets a host close and reopen the port as often as it likes (no EIO on the device side)', async () => {
    const port = openPort();
    const errors: Error[] = [];
    port.on('error', (error: Error) => errors.push(error));
    for (const round of [1, 2, 3]) {
      const h = await host(port.address);
      const fromHost = readBytes(port, 1);
      await writeHost(h, Buffer.from([round]));
      expect(await fromHost).toEqual(Buffer.from([round]));
      port.write(Buffer.from([0x80 + round]));
      expect(await readBytes(h, 1)).toEqual(Buffer.from([0x80 + round]));
      await closeHost(h);
      await settle();
    }
    expect(errors).toEqual([]);
    expect(port.destroyed).toBe(false);
  });

  it('holds writes while no host reads (the pty is full) and delivers them all once one does', async () => {
    const port = openPort();
    const big = Buffer.alloc(256 * 1024, 0x5a);
    let done = false;
    port.write(big, () => (done = true));
    await settle(100);
    expect(done).toBe(false); // far more than a pty buffers: the rest waits, neither failing nor lost
    const { reader } = plainHost(port.path);
    expect((await readBytes(reader, big.length)).equals(big)).toBe(true);
    await expect.poll(() => done, { timeout: 5000 }).toBe(true);
  });

  it('close() fails writes still waiting for a reader with PTY_CLOSED instead of leaving them pending', async () => {
    const port = openPort();
    const result = new Promise<Error | null | undefined>((resolve) => port.write(Buffer.alloc(256 * 1024), resolve));
    await settle();
    await port.close();
    expect(await result).toMatchObject({ name: 'PtyPortError', code: 'PTY_CLOSED' });
  });

  it('refuses DTR/RTS and modem-status requests (ENOTTY): a pty has no modem lines', async () => {
    const port = openPort();
    const h = await host(port.address);
    await expect(new Promise((resolve, reject) => h.set({ dtr: false }, (e) => (e ? reject(e) : resolve(undefined))))).rejects.toThrow(
      /Inappropriate ioctl/,
    );
    await expect(new Promise((resolve, reject) => h.get((e) => (e ? reject(e) : resolve(undefined))))).rejects.toThrow(/Inappropriate ioctl/);
  });

  it('admits one serialport host at a time (serialport locks the port)', async () => {
    const port = openPort();
    await host(port.address);
    await expect(openHost(port.address)).rejects.toThrow(/Cannot lock port/);
  });

  it('close() releases the fds, the link and every handle, and may be repeated', async () => {
    const before = ttyNames();
    const link = join(dir, 'ttyTENKEY0');
    const port = openPort(link);
    expect(ttyNames()).toBe(before + 1);

    await port.close();
    await port.close();
    expect(ttyNames()).toBe(before);
    expect(() => lstatSync(link)).toThrow(/ENOENT/);
    expect(port.destroyed).toBe(true);
  });

  it('close() is an unplug for a host that has the port open: it can no longer use it, and can close it', async () => {
    const port = openPort();
    const h = await host(port.address);
    h.on('error', () => {});
    h.resume();
    const closed = new Promise<unknown>((resolve) => h.once('close', resolve));
    await port.close();
    // The slave is hung up. serialport notices it as a disconnect when its poll sees the hangup, but when its
    // read was in flight it gets EOF (0 bytes) and retries silently: then its next write fails with EIO.
    await settle(100);
    if (h.isOpen) {
      const writeError = await new Promise<Error | null | undefined>((resolve) => h.write(Buffer.from([1]), resolve));
      // EIO from the hung-up tty (or "Port is not open" if serialport noticed the disconnect in the meantime).
      expect(writeError).toBeInstanceOf(Error);
      await closeHost(h);
    } else {
      expect(await closed).toMatchObject({ disconnected: true });
    }
    expect(h.isOpen).toBe(false);
  });

  it('leaves nothing that keeps the process alive after close()', async () => {
    const child = fileURLToPath(new URL('./pty-exit-child.ts', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', child], { timeout: 20_000 }, (error, out) => (error ? reject(error) : resolve(out)));
    });
    expect(stdout.trim()).toBe('ok 42');
  });

  it('survives a replug: a new port re-points the same link, and a host reopening it talks to the new port', async () => {
    const link = join(dir, 'ttyTENKEY0');
    const first = openPort(link);
    const before = await host(link);
    first.write(Buffer.from([1]));
    expect(await readBytes(before, 1)).toEqual(Buffer.from([1]));

    await first.close(); // "unplug": the link disappears like /dev/ttyUSB0 does
    await expect(openHost(link)).rejects.toThrow(/No such file/);

    const second = openPort(link); // "plug back in"
    expect(readlinkSync(link)).toBe(second.path);
    const after = await host(link);
    const got = readBytes(second, 1);
    await writeHost(after, Buffer.from([2]));
    expect(await got).toEqual(Buffer.from([2]));
  });

  it('replaces a stale symlink left by an earlier run but never a regular file', () => {
    const link = join(dir, 'ttyTENKEY0');
    writeFileSync(join(dir, 'gone'), '');
    execFileSync('ln', ['-s', '/dev/pts/nonexistent', link]);
    expect(readlinkSync(link)).toBe('/dev/pts/nonexistent');
    const port = openPort(link);
    expect(readlinkSync(link)).toBe(port.path);

    const file = join(dir, 'gone');
    expect(() => openPort(file)).toThrow(PtyPortError);
    expect(() => openPort(file)).toThrow(expect.objectContaining({ code: 'LINK_NOT_SYMLINK' }) as Error);
  });

  it('reads without parking a threadpool thread, so more ports than threads leave fs work running', async () => {
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    for (let i = 0; i <= threads; i++) openPort().resume();
    await settle();
    expect((await readFile(fileURLToPath(import.meta.url))).length).toBeGreaterThan(0);
  });
});
