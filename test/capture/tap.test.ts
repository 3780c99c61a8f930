import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { SerialPort } from 'serialport';
import { PtyPort } from '../../device-sim/transport/pty-port.js';
import { startTap, TapError, type RunningTap } from '../../cli/capture/tap.js';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { framesOfCapture } from '../../protocol/capture/capture-frames.js';
import { encodeFrame } from '../../protocol/frame.js';
import { isChunkRecord } from '../../protocol/capture/capture-format.js';

const hello = encodeFrame({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, 1);
const ack = encodeFrame({ type: 'ACK' }, 1, { fromDevice: true });

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

function openSerial(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    port.open((e) => (e ? reject(e) : resolve(port)));
  });
}

function closeSerial(port: SerialPort | undefined): Promise<void> {
  return new Promise((resolve) => (port?.isOpen ? port.close(() => resolve()) : resolve()));
}

/** Resolves with the first `n` bytes read from `stream`. */
function readBytes(stream: NodeJS.ReadableStream, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    let length = 0;
    const onData = (c: Buffer): void => {
      got.push(c);
      length += c.length;
      if (length >= n) {
        stream.off('data', onData);
        resolve(Buffer.concat(got));
      }
    };
    stream.on('data', onData);
  });
}

describe('tenkey tap over real PTYs', () => {
  let device: PtyPort | undefined;
  let host: SerialPort | undefined;
  let tap: RunningTap | undefined;
  afterEach(async () => {
    await closeSerial(host);
    await tap?.close();
    await device?.close();
    host = undefined;
    tap = undefined;
    device = undefined;
  });

  it('forwards bytes both ways unchanged and records every chunk with its direction', async () => {
    device = PtyPort.open();
    const out = new PassThrough();
    const text = collect(out);
    tap = await startTap({ device: device.path, output: out, note: 'tap test' });
    expect(tap.address).toMatch(/^\/dev\/pts\/\d+$/);
    host = await openSerial(tap.address);

    const atDevice = readBytes(device, hello.length);
    host.write(hello);
    expect(await atDevice).toEqual(hello);

    const atHost = readBytes(host, ack.length);
    device.write(ack.subarray(0, 2));
    await new Promise((r) => setTimeout(r, 20));
    device.write(ack.subarray(2));
    expect(await atHost).toEqual(ack);

    await closeSerial(host);
    host = undefined;
    await tap.close();
    tap = undefined;
    const capture = parseCapture(text());
    expect(capture.header.captured).toMatchObject({ tool: 'tenkey tap', device: device.path });
    expect(capture.header.note).toBe('tap test');
    const chunks = capture.records.filter(isChunkRecord);
    expect(Buffer.concat(chunks.filter((c) => c.dir === 'h2d').map((c) => c.bytes))).toEqual(hello);
    expect(Buffer.concat(chunks.filter((c) => c.dir === 'd2h').map((c) => c.bytes))).toEqual(ack);
    // The ACK arrived in two chunks 20 ms apart; decode still sees one frame.
    expect(chunks.filter((c) => c.dir === 'd2h').length).toBeGreaterThanOrEqual(2);
    expect(framesOfCapture(capture).map((f) => f.result.ok && f.result.frame.message.type)).toEqual(['HELLO', 'ACK']);
  });

  it('records the device going away and closes the host side too', async () => {
    device = PtyPort.open();
    const out = new PassThrough();
    const text = collect(out);
    const events: string[] = [];
    tap = await startTap({ device: device.path, output: out, reopenIntervalMs: 60_000, onLinkEvent: (e, side) => events.push(`${side} ${e}`) });
    host = await openSerial(tap.address);
    const hostClosed = new Promise<void>((resolve) => host!.once('close', () => resolve()));
    host.on('data', () => {}); // a host always reads: that read is what learns of the hang-up
    await new Promise((r) => setTimeout(r, 50)); // both serialport readers armed, as in a running session
    // A serial adapter pulled out: the tap's read side gets EIO/close from the kernel once the PTY is gone.
    await device.close();
    device = undefined;
    await hostClosed;
    expect(events).toEqual(['device close']);
    await tap.close();
    tap = undefined;
    expect(parseCapture(text()).records).toMatchObject([{ event: 'close', side: 'device' }]);
  });

  it('refuses a device it cannot open with a typed error', async () => {
    await expect(startTap({ device: '/dev/does-not-exist-tenkey' })).rejects.toMatchObject({ code: 'DEVICE_OPEN_FAILED' });
    await expect(startTap({ device: 'nonsense' })).rejects.toBeInstanceOf(TapError);
  });
});

describe('tenkey tap between the real simulator and the real host driver', () => {
  it('records a whole card entry over real PTYs, byte for byte what each side saw, ciphertext only', async () => {
    const { startSimulator } = await import('../../device-sim/index.js');
    const { openTenkey } = await import('../../host-driver/open-tenkey.js');
    const { findCardNumbers } = await import('./pan-scan.js');
    const { TEST_CARDS } = await import('../../device-sim/test-cards.js');
    // The simulator types a test card by itself at START_ENTRY (its key script), on a real PTY.
    const sim = await startSimulator({
      listen: 'pty',
      keys: `${TEST_CARDS.jcb}<enter>1230<enter>`,
      now: () => new Date('2026-11-26T12:00:00Z'),
    });
    const out = new PassThrough();
    const text = collect(out);
    const tap = await startTap({ device: sim.address, output: out });
    const keypad = await openTenkey({ device: tap.address, connectTimeoutMs: 5000 });
    try {
      const card = await keypad.readCard({ timeoutSeconds: 10 });
      expect({ brand: card.brand, last: card.last }).toEqual({ brand: 'jcb', last: '000' });
    } finally {
      await keypad.close();
      await tap.close();
      await sim.close();
    }
    const capture = parseCapture(text());
    const frames = framesOfCapture(capture);
    expect(frames.every((f) => f.result.ok)).toBe(true);
    const types = frames.map((f) => f.result.ok && `${f.dir} ${f.result.frame.message.type}`);
    expect(types.slice(0, 4)).toEqual(['h2d HELLO', 'd2h ACK', 'd2h INFO', 'h2d ACK']);
    expect(types).toContain('h2d START_ENTRY');
    expect(types.filter((t) => t === 'd2h KEY')).toHaveLength(16 + 1 + 4 + 1);
    expect(types).toContain('d2h RESULT');
    expect(findCardNumbers(text(), Object.values(TEST_CARDS))).toEqual([]);
  });
});

describe('tenkey tap (the command)', () => {
  it('prints the PTY first, forwards, and on SIGINT flushes the capture and exits 0', async () => {
    const { spawn } = await import('node:child_process');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join, resolve } = await import('node:path');
    const device = PtyPort.open();
    const dir = mkdtempSync(join(tmpdir(), 'tenkey-tap-'));
    const file = join(dir, 'session.jsonl');
    const mainPath = resolve(import.meta.dirname, '../../cli/main.ts');
    const child = spawn(process.execPath, [
      '--import', 'tsx', '--input-type=module', '-e',
      `import { main } from ${JSON.stringify(mainPath)}; process.exitCode = await main(process.argv.slice(0, 1).concat(process.argv.slice(1)));`,
      'tenkey', 'tap', '--device', device.path, '-o', file,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let host: SerialPort | undefined;
    try {
      let stdout = '';
      const firstLine = await new Promise<string>((resolveLine, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
          if (stdout.includes('\n')) resolveLine(stdout.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`tap exited early (${code}): ${stdout}`)));
      });
      expect(firstLine).toMatch(/^\/dev\/pts\/\d+$/);
      host = await openSerial(firstLine);
      const atDevice = readBytes(device, hello.length);
      host.write(hello);
      expect(await atDevice).toEqual(hello);
      const atHost = readBytes(host, ack.length);
      device.write(ack);
      expect(await atHost).toEqual(ack);
      // The decoded view follows the PTY line.
      await new Promise((r) => setTimeout(r, 50));
      expect(stdout).toMatch(/h2d seq=1 +HELLO versions=1\.\.1 {2}crc=ok/);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      const capture = parseCapture(readFileSync(file, 'utf8'));
      expect(framesOfCapture(capture).map((f) => `${f.dir} ${f.result.ok && f.result.frame.message.type}`)).toEqual(['h2d HELLO', 'd2h ACK']);
    } finally {
      child.kill('SIGKILL');
      await closeSerial(host);
      await device.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
