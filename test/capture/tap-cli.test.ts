import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerialPort } from 'serialport';
import { PtyPort } from '../../device-sim/transport/pty-port.js';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { framesOfCapture } from '../../protocol/capture/capture-frames.js';
import { encodeFrame } from '../../protocol/frame.js';
import { closeSerial, openSerial, readBytes, roundTrip } from './serial-helpers.js';
import { spawnTap, type TapProcess } from './tap-cli.js';

const hello = encodeFrame({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, 1);
const ack = encodeFrame({ type: 'ACK' }, 1, { fromDevice: true });

describe('tenkey tap (the command)', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tenkey-tap-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const run = (args: string[]): TapProcess => {
    const tap = spawnTap(args);
    cleanups.push(() => tap.child.kill('SIGKILL'));
    return tap;
  };
  const host = async (path: string): Promise<SerialPort> => {
    const port = await openSerial(path);
    port.on('error', () => {});
    cleanups.push(() => closeSerial(port));
    return port;
  };

  it('prints the PTY first, forwards, and on SIGINT flushes the capture and exits by itself with 0', async () => {
    const device = PtyPort.open();
    cleanups.push(() => device.close());
    const file = join(tempDir(), 'session.jsonl');
    const tap = run(['--device', device.path, '-o', file]);
    const address = await tap.waitForLine(/./);
    expect(address).toMatch(/^\/dev\/pts\/\d+$/);
    const port = await host(address);
    expect(await roundTrip(port, device, hello, ack)).toEqual({ atDevice: hello, atHost: ack });
    // The decoded view follows the PTY line.
    await tap.waitForLine(/h2d seq=1 +HELLO versions=1\.\.1 {2}crc=ok/);
    await tap.waitForLine(/d2h seq=1 +ACK {2}crc=ok/);
    // The device stays plugged in with the tap's read pending: the tap must still close it and exit on its own.
    tap.child.kill('SIGINT');
    expect(await tap.exited).toBe(0);
    expect(tap.stderr()).toBe('');
    const capture = parseCapture(readFileSync(file, 'utf8'));
    expect(framesOfCapture(capture).map((f) => `${f.dir} ${f.result.ok && f.result.frame.message.type}`)).toEqual(['h2d HELLO', 'd2h ACK']);
  });

  it('keeps running across a device unplug/replug: the host finds the new PTY under --link and traffic flows again', async () => {
    // A LAN keypad we can pull the plug on: stop listening and drop the connection, then listen again.
    let server: Server = createServer();
    const connections: Socket[] = [];
    const onConnection = (s: Socket): void => {
      s.on('error', () => {});
      connections.push(s);
    };
    server.on('connection', onConnection);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    cleanups.push(() => {
      for (const s of connections) s.destroy();
      server.close();
    });
    const link = join(tempDir(), 'keypad');
    const tap = run(['--device', `tcp://127.0.0.1:${port}`, '--link', link]);
    expect(await tap.waitForLine(/./)).toBe(link);
    expect(connections).toHaveLength(1);

    let port1 = await host(link);
    const atDevice = readBytes(connections[0]!, hello.length);
    port1.write(hello);
    expect(await atDevice).toEqual(hello);

    // Unplug.
    server.close();
    connections[0]!.destroy();
    await tap.waitForLine(/--- device went away$/);
    await closeSerial(port1);

    // Replug on the same port: the tap must still be there to reconnect (it must not have exited).
    server = createServer();
    server.on('connection', onConnection);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    const linesBefore = tap.lineCount();
    await tap.waitForLine(/--- device came back$/, linesBefore);
    expect(await tap.waitForLine(/^\//, linesBefore)).toBe(link);
    expect(connections).toHaveLength(2);

    port1 = await host(link);
    const again = readBytes(connections[1]!, hello.length);
    port1.write(hello);
    expect(await again).toEqual(hello);
    const atHost = readBytes(port1, ack.length);
    connections[1]!.write(ack);
    expect(await atHost).toEqual(ack);

    tap.child.kill('SIGINT');
    expect(await tap.exited).toBe(0);
  });

  it('an output it cannot create is one line and exit 2, before any PTY is printed', async () => {
    const device = PtyPort.open();
    cleanups.push(() => device.close());
    const tap = run(['--device', device.path, '-o', '/nonexistent/tenkey/x.jsonl']);
    expect(await tap.exited).toBe(2);
    expect(tap.stdout()).toBe('');
    expect(tap.stderr()).toBe('tenkey tap: cannot write the capture to /nonexistent/tenkey/x.jsonl: ENOENT\n');
  });

  it('an output that fails while recording (disk full) stops the tap with one line and exit 1', async () => {
    const device = PtyPort.open();
    cleanups.push(() => device.close());
    const tap = run(['--device', device.path, '-o', '/dev/full']);
    expect(await tap.exited).toBe(1);
    expect(tap.stderr()).toBe('tenkey tap: writing the capture to /dev/full failed: ENOSPC\n');
  });
});
