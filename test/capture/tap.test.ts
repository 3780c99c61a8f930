import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { SerialPort } from 'serialport';
import { readlinkSync, readdirSync } from 'node:fs';
import { PtyPort } from '../../device-sim/transport/pty-port.js';
import { startTap, TapError, type RunningTap } from '../../cli/capture/tap.js';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { framesOfCapture } from '../../protocol/capture/capture-frames.js';
import { encodeFrame } from '../../protocol/frame.js';
import { isChunkRecord } from '../../protocol/capture/capture-format.js';
import { closeSerial, openSerial, readBytes, roundTrip } from './serial-helpers.js';

const hello = encodeFrame({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, 1);
const ack = encodeFrame({ type: 'ACK' }, 1, { fromDevice: true });

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
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

    // The ACK in two writes, the second only once the host has the first: the tap read (and recorded) two chunks.
    const firstPart = readBytes(host, 2);
    device.write(ack.subarray(0, 2));
    expect(await firstPart).toEqual(ack.subarray(0, 2));
    const rest = readBytes(host, ack.length - 2);
    device.write(ack.subarray(2));
    expect(await rest).toEqual(ack.subarray(2));

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
    // The ACK arrived in two chunks; decode still sees one frame.
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
    // A host always reads: that read is what learns of the hang-up. One round trip each way, as in a running
    // session, so both serialport readers (the host's and the tap's device side) have completed a read and
    // armed the next one.
    expect(await roundTrip(host, device, hello, ack)).toEqual({ atDevice: hello, atHost: ack });
    host.on('data', () => {});
    // A serial adapter pulled out: the tap's read side gets EIO/close from the kernel once the PTY is gone.
    await device.close();
    device = undefined;
    await hostClosed;
    expect(events).toEqual(['device close']);
    await tap.close();
    tap = undefined;
    expect(parseCapture(text()).records.filter((r) => !isChunkRecord(r))).toMatchObject([{ event: 'close', side: 'device' }]);
  });

  it('closes the serial device for good: no fd of the tap is left on a device that stays plugged in', async () => {
    device = PtyPort.open();
    const fdsOn = (path: string): number => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === path;
      } catch {
        return false;
      }
    }).length;
    const before = fdsOn(device.path); // the simulator's own slave fd
    tap = await startTap({ device: device.path });
    expect(fdsOn(device.path)).toBe(before + 1);
    await tap.close();
    tap = undefined;
    // serialport's destroy() alone would leave this fd open with its read armed: the process could never exit.
    expect(fdsOn(device.path)).toBe(before);
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
    // The script types each field in one go, faster than any round trip: its digits merge into one report (§5.11).
    expect(types.filter((t) => t === 'd2h KEY')).toHaveLength(1 + 1 + 1 + 1);
    expect(types).toContain('d2h RESULT');
    expect(findCardNumbers(text(), Object.values(TEST_CARDS))).toEqual([]);
  });
});
