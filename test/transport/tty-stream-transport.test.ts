/**
 * The driver's tty stream transport (host-driver/transport/tty-stream-transport.ts) on real PTYs: serialport opens,
 * locks and configures the port, a libuv TTY stream on a second fd moves the bytes. Covers what the serialport
 * transport guaranteed (raw bytes, the lock, close/reopen) and what a stream must add: a hang-up closes it at once,
 * a keypad that never reads only grows writableLength, a silent but open keypad is not mistaken for a hang-up.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PtyPort } from '../../device-sim/transport/pty-port.js';
import { openTransport, serialTransportKind } from '../../host-driver/transport/open-transport.js';
import { openSerialTransport } from '../../host-driver/transport/serial-transport.js';
import { openTtyStreamTransport, ttyStreamSupported } from '../../host-driver/transport/tty-stream-transport.js';
import type { ByteTransport } from '../../host-driver/transport/byte-transport.js';
import { DELIVERY_TIMEOUT_MS, readBytes, settle } from './pty-helpers.js';

/** Every byte value, with the ones a cooked tty would interpret (NUL, ^C, LF, CR, XON, XOFF, DEL) first. */
const TRICKY = Buffer.from([0x00, 0x03, 0x0a, 0x0d, 0x11, 0x13, 0x7f, 0x1a, 0x04, 0x1c, 0xff]);
const ALL_BYTES = Buffer.concat([TRICKY, Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);

let dir: string;
const ports: PtyPort[] = [];
const transports: ByteTransport[] = [];

function openPort(link?: string): PtyPort {
  const port = PtyPort.open(link === undefined ? {} : { link });
  port.on('error', () => {});
  ports.push(port);
  return port;
}
async function open(path: string): Promise<ByteTransport> {
  const transport = await openTtyStreamTransport(path);
  transports.push(transport);
  return transport;
}
/** Bytes the transport delivers, as a readable-like source for readBytes. */
function received(transport: ByteTransport): { on: ByteTransport['on']; off: ByteTransport['off'] } {
  return transport;
}
const openFds = () => readdirSync('/proc/self/fd').length;
function closed(transport: ByteTransport): Promise<Error | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'close' within ${DELIVERY_TIMEOUT_MS} ms`)), DELIVERY_TIMEOUT_MS);
    transport.once('close', (error) => {
      clearTimeout(timer);
      resolve(error);
    });
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tenkey-tty-stream-'));
});
afterEach(async () => {
  for (const t of transports.splice(0)) await t.close();
  for (const p of ports.splice(0)) await p.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tty stream transport', () => {
  it('is what Linux and macOS use, never Windows (COM ports stay on serialport)', () => {
    expect([ttyStreamSupported('linux'), ttyStreamSupported('darwin'), ttyStreamSupported('win32')]).toEqual([true, true, false]);
  });

  it('gives way to serialport when TENKEY_SERIAL_TRANSPORT=serialport, and on Windows', () => {
    expect(serialTransportKind({}, 'linux')).toBe('tty-stream');
    expect(serialTransportKind({ TENKEY_SERIAL_TRANSPORT: 'serialport' }, 'linux')).toBe('serialport');
    expect(serialTransportKind({ TENKEY_SERIAL_TRANSPORT: 'serialport' }, 'darwin')).toBe('serialport');
    expect(serialTransportKind({}, 'win32')).toBe('serialport');
  });

  it('is the transport openTransport opens for a serial path here: a hang-up closes it with EIO at once', async () => {
    const port = openPort(join(dir, 'ttyTENKEY0'));
    const transport = await openTransport({ kind: 'serial', path: port.address });
    transports.push(transport);
    const gone = closed(transport);
    await port.close();
    // serialport's transport may miss a PTY hang-up (a read in flight gets EOF and retries): the stream never does.
    expect((await gone as NodeJS.ErrnoException | undefined)?.code).toBe('EIO');
  });

  it('carries every byte value both ways unchanged, through the stable symlink too', async () => {
    const port = openPort(join(dir, 'ttyTENKEY0'));
    const transport = await open(port.address);
    const toHost = readBytes(received(transport) as never, ALL_BYTES.length);
    port.write(ALL_BYTES);
    expect(await toHost).toEqual(ALL_BYTES);
    const toDevice = readBytes(port, ALL_BYTES.length);
    transport.write(ALL_BYTES);
    expect(await toDevice).toEqual(ALL_BYTES);
  });

  it('leaves the port raw 8N1 with no flow control, no echo and no CR/LF mapping (serialport configured it)', async () => {
    const port = openPort();
    execFileSync('stty', ['-F', port.path, 'sane']);
    await open(port.path);
    const flags = new Set(execFileSync('stty', ['-F', port.path, '-a'], { encoding: 'utf8' }).split(/[\s;]+/));
    const required = ['cs8', '-parenb', '-cstopb', '-crtscts', '-ixon', '-ixoff', '-echo', '-icanon', '-isig', '-iexten',
      '-icrnl', '-inlcr', '-igncr', '-istrip', '-opost'];
    expect(required.filter((flag) => !flags.has(flag))).toEqual([]);
  });

  it('holds the port exclusively while open (serialport\'s lock), and lets the next host in once closed', async () => {
    const port = openPort();
    const first = await open(port.path);
    await expect(openTtyStreamTransport(port.path)).rejects.toThrow(/lock/i);
    await expect(openSerialTransport(port.path)).rejects.toThrow(/lock/i);
    await first.close();
    const second = await open(port.path);
    const toHost = readBytes(second as never, 1);
    port.write(Buffer.from([0x42]));
    expect(await toHost).toEqual(Buffer.from([0x42]));
  });

  it('opens, closes and reopens 50 times without leaking an fd, and close() may be repeated', async () => {
    const port = openPort();
    const before = openFds();
    for (let i = 0; i < 50; i++) {
      const transport = await openTtyStreamTransport(port.path);
      transport.write(Buffer.from([i]));
      expect(await readBytes(port, 1)).toEqual(Buffer.from([i]));
      const gone = closed(transport);
      await transport.close();
      await transport.close();
      expect(await gone).toBeUndefined();
    }
    expect(openFds()).toBe(before);
  });

  it('closes with EIO the moment the keypad hangs up (its PTY closes), without any keepalive', async () => {
    const port = openPort();
    const transport = await open(port.path);
    const gone = closed(transport);
    await port.close();
    expect((await gone as NodeJS.ErrnoException | undefined)?.code).toBe('EIO');
    transport.write(Buffer.from([1])); // after close: a no-op, not a throw
  });

  it('stays open while the keypad is silent but there (a half-open line is the link\'s to find, not a hang-up)', async () => {
    const port = openPort();
    const transport = await open(port.path);
    let gone = false;
    transport.on('close', () => {
      gone = true;
    });
    transport.write(Buffer.from([1, 2, 3]));
    await settle(200);
    expect(gone).toBe(false);
  });

  it('only grows writableLength for a keypad that never reads, never blocks, and still closes at once', async () => {
    const port = openPort();
    port.pause(); // the device side never reads
    const transport = await open(port.path);
    const chunk = Buffer.alloc(4096, 0x55);
    for (let i = 0; i < 256; i++) transport.write(chunk); // 1 MiB: far more than a pty holds
    expect(transport.writableLength).toBeGreaterThan(512 * 1024);
    const started = performance.now();
    await transport.close();
    expect(performance.now() - started).toBeLessThan(DELIVERY_TIMEOUT_MS);
  });

  it('rejects a path that is not there, and one that is no tty, leaving no fd behind', async () => {
    const before = openFds();
    await expect(openTtyStreamTransport(join(dir, 'nothing'))).rejects.toThrow(/No such file/);
    await expect(openTtyStreamTransport('/dev/null')).rejects.toThrow();
    expect(openFds()).toBe(before);
  });

  it('leaves nothing that keeps the process alive after close()', async () => {
    const child = fileURLToPath(new URL('./tty-stream-exit-child.ts', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', child], { timeout: 20_000 }, (error, out) => (error ? reject(error) : resolve(out)));
    });
    expect(stdout.trim()).toBe('ok 42');
  });
});
