import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame } from '../../protocol/frame.js';
import {
  captureToPcapng,
  enhancedPacketBlock,
  EPB_FLAG_INBOUND,
  EPB_FLAG_OUTBOUND,
  LINKTYPE_USER0,
  PcapngBlockType,
  PCAPNG_BYTE_ORDER_MAGIC,
} from '../../protocol/capture/pcapng-writer.js';
import type { Capture } from '../../protocol/capture/capture-format.js';

const ping = encodeFrame({ type: 'PING', nonce: 7 }, 1);
const ack = encodeFrame({ type: 'ACK' }, 1, { fromDevice: true });

/** A PING, then its ACK split over two chunks the way a serial port delivers it. */
const capture: Capture = {
  header: {
    format: 'tenkey-capture', version: 1, protocolVersion: 1,
    captured: { tool: 'test', device: '/dev/pts/3', startedAt: '2026-11-26T10:00:00.000Z' },
  },
  records: [
    { dir: 'h2d', t: 1.5, bytes: ping },
    { dir: 'd2h', t: 3.25, bytes: ack.subarray(0, 3) },
    { dir: 'd2h', t: 4, bytes: ack.subarray(3) },
  ],
};
const startMicros = BigInt(Date.parse('2026-11-26T10:00:00.000Z')) * 1000n;

interface Block { type: number; body: Buffer }

/** Walks pcapng blocks, checking both length fields and 32-bit alignment of each. */
function blocks(file: Buffer): Block[] {
  const out: Block[] = [];
  let at = 0;
  while (at < file.length) {
    const type = file.readUInt32LE(at);
    const length = file.readUInt32LE(at + 4);
    expect(length % 4).toBe(0);
    expect(file.readUInt32LE(at + length - 4)).toBe(length);
    out.push({ type, body: file.subarray(at + 8, at + length - 4) });
    at += length;
  }
  expect(at).toBe(file.length);
  return out;
}

/** Options as (code, value) pairs up to opt_endofopt. */
function options(bytes: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  let at = 0;
  while (at < bytes.length) {
    const code = bytes.readUInt16LE(at);
    const length = bytes.readUInt16LE(at + 2);
    if (code === 0) break;
    out.push([code, bytes.subarray(at + 4, at + 4 + length)]);
    at += 4 + ((length + 3) & ~3);
  }
  return out;
}

describe('pcapng export', () => {
  it('writes SHB, an IDB with LINKTYPE_USER0 and µs resolution, then one EPB per frame', () => {
    const [shb, idb, ...epbs] = blocks(captureToPcapng(capture));
    expect(shb!.type).toBe(PcapngBlockType.SECTION_HEADER);
    expect(shb!.body.readUInt32LE(0)).toBe(PCAPNG_BYTE_ORDER_MAGIC);
    expect([shb!.body.readUInt16LE(4), shb!.body.readUInt16LE(6)]).toEqual([1, 0]);
    expect(shb!.body.readBigInt64LE(8)).toBe(-1n);
    expect(options(shb!.body.subarray(16))).toEqual([[4, Buffer.from('test')], [1, Buffer.from('tenkey capture started at 2026-11-26T10:00:00.000Z')]]);

    expect(idb!.type).toBe(PcapngBlockType.INTERFACE_DESCRIPTION);
    expect(idb!.body.readUInt16LE(0)).toBe(LINKTYPE_USER0);
    expect(idb!.body.readUInt32LE(4)).toBe(0);
    expect(options(idb!.body.subarray(8))).toContainEqual([9, Buffer.from([6])]);
    expect(options(idb!.body.subarray(8))).toContainEqual([3, Buffer.from('/dev/pts/3')]);

    expect(epbs.map((b) => b.type)).toEqual([PcapngBlockType.ENHANCED_PACKET, PcapngBlockType.ENHANCED_PACKET]);
    const [first, second] = epbs;
    const ts = (b: Block) => (BigInt(b.body.readUInt32LE(4)) << 32n) | BigInt(b.body.readUInt32LE(8));
    expect(ts(first!)).toBe(startMicros + 1500n);
    expect(ts(second!)).toBe(startMicros + 4000n); // a frame is stamped when its last byte arrived
    expect(first!.body.subarray(20, 20 + first!.body.readUInt32LE(12))).toEqual(ping);
    expect(second!.body.subarray(20, 20 + second!.body.readUInt32LE(12))).toEqual(ack);
    const flags = (b: Block) => {
      const len = b.body.readUInt32LE(12);
      const opts = options(b.body.subarray(20 + ((len + 3) & ~3)));
      return opts.find(([code]) => code === 2)?.[1].readUInt32LE(0);
    };
    expect(flags(first!)).toBe(EPB_FLAG_OUTBOUND);
    expect(flags(second!)).toBe(EPB_FLAG_INBOUND);
  });

  it('lays out an EPB byte for byte', () => {
    const epb = enhancedPacketBlock(0x1_0000_0002n, Uint8Array.from([0xaa, 0xbb, 0x00]), 'd2h');
    expect(epb.toString('hex')).toBe(
      [
        '06000000', '30000000', // type, total length 48
        '00000000', // interface 0
        '01000000', '02000000', // timestamp high, low
        '03000000', '03000000', // captured, original length
        'aabb0000', // data padded to 4
        '02000400', '01000000', // epb_flags = inbound
        '00000000', // opt_endofopt
        '30000000',
      ].join(''),
    );
  });

  it('can write one packet per raw chunk instead', () => {
    const epbs = blocks(captureToPcapng(capture, { unit: 'chunk' })).slice(2);
    expect(epbs.map((b) => b.body.readUInt32LE(12))).toEqual([ping.length, 3, ack.length - 3]);
  });

  describe('read by tshark', () => {
    const tshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
    // Without tshark these are skipped, and say why in their names (vitest lists skipped tests by name).
    const needs = tshark ? '' : ' (SKIPPED: needs tshark on PATH)';
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });
    it.skipIf(!tshark)(`reads a fixture exported by \`tenkey capture export\`: one packet per frame, directions intact${needs}`, async () => {
      const { main } = await import('../../cli/main.js');
      const { parseCapture } = await import('../../protocol/capture/capture-reader.js');
      const { framesOfCapture } = await import('../../protocol/capture/capture-frames.js');
      const { dirname: dirOf } = await import('node:path');
      const { fileURLToPath } = await import('node:url');
      dir = mkdtempSync(join(tmpdir(), 'tenkey-pcapng-'));
      const fixture = join(dirOf(fileURLToPath(import.meta.url)), '../../fixtures/captures/noisy-link.jsonl');
      const out = join(dir, 'noisy.pcapng');
      expect(await main(['node', 'tenkey', 'capture', 'export', fixture, '--pcapng', out])).toBe(0);
      const frames = framesOfCapture(parseCapture(readFileSync(fixture, 'utf8')));
      const listed = execFileSync('tshark', ['-r', out, '-T', 'fields', '-e', 'frame.packet_flags_direction', '-e', 'data.data'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim().split('\n');
      expect(listed).toEqual(frames.map((f) => `${f.dir === 'd2h' ? '0x00000001' : '0x00000002'}\t${f.raw.toString('hex')}`));
    });

    it.skipIf(!tshark)(`decodes seq and type with the Lua dissector sketch from CAPTURE-FORMAT.md${needs}`, () => {
      const doc = readFileSync(new URL('../../protocol/capture/CAPTURE-FORMAT.md', import.meta.url), 'utf8');
      const lua = /```lua\n([\s\S]*?)```/.exec(doc)?.[1];
      expect(lua).toBeDefined();
      dir = mkdtempSync(join(tmpdir(), 'tenkey-pcapng-'));
      writeFileSync(join(dir, 'tenkey.lua'), lua!);
      writeFileSync(join(dir, 'x.pcapng'), captureToPcapng(capture));
      const out = execFileSync('tshark', ['-X', `lua_script:${join(dir, 'tenkey.lua')}`, '-r', join(dir, 'x.pcapng'), '-T', 'fields', '-e', '_ws.col.Info'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      expect(out.trim().split('\n')).toEqual(['h2d seq=1 type=0x06', 'd2h seq=1 type=0xf0']);
    });

    it.skipIf(!tshark)(`lists both frames with their direction, time and bytes${needs}`, () => {
      dir = mkdtempSync(join(tmpdir(), 'tenkey-pcapng-'));
      const file = join(dir, 'x.pcapng');
      writeFileSync(file, captureToPcapng(capture));
      const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.packet_flags_direction', '-e', 'data.data', '-E', 'separator=,'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      expect(out.trim().split('\n')).toEqual([
        `1795687200.001500000,0x00000002,${ping.toString('hex')}`,
        `1795687200.004000000,0x00000001,${ack.toString('hex')}`,
      ]);
    });
  });
});
