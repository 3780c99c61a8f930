import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { SerialPort } from 'serialport';
import { PtyPort } from '../../device-sim/transport/pty-port.js';
import { startTap, TapError, type RunningTap } from '../../protocol/capture/tap.js';
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
