/**
 * Reads back exactly the pcapng that pcapng-writer.ts writes (`tenkey capture export --pcapng`): little-endian,
 * one section, one LINKTYPE_USER0 interface with microsecond timestamps, Enhanced Packet Blocks whose epb_flags
 * give the direction (inbound = d2h, outbound = h2d). Each packet becomes one chunk. Anything else — another
 * link type, a packet without direction, a block that does not fit — is a CaptureError naming what is wrong.
 * Hand-written: the npm pcapng readers do not expose epb_flags, and the layout is the writer's, mirrored.
 */
import type { Capture, ChunkRecord, Direction } from './capture-format.js';
import { CAPTURE_FORMAT, CAPTURE_FORMAT_VERSION, roundCaptureTime } from './capture-format.js';
import { captureError } from './capture-error.js';
import {
  EPB_FLAG_INBOUND, EPB_FLAG_OUTBOUND, LINKTYPE_USER0, PCAPNG_BYTE_ORDER_MAGIC, PcapngBlockType, PCAPNG_OPTION, SHB_STARTED_AT_PREFIX,
} from './pcapng-writer.js';
import { PROTOCOL_VERSION } from '../constants.js';

/** Whether `bytes` start as a pcapng file does (a Section Header Block). */
export function looksLikePcapng(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && Buffer.from(bytes.buffer, bytes.byteOffset, 4).readUInt32LE(0) === PcapngBlockType.SECTION_HEADER;
}

interface Block { type: number; body: Buffer; at: number }

function* blocksOf(file: Buffer): Generator<Block> {
  let at = 0;
  while (at < file.length) {
    if (file.length - at < 12) throw captureError('BAD_RECORD', `pcapng: ${file.length - at} stray bytes at offset ${at}`);
    const type = file.readUInt32LE(at);
    const total = file.readUInt32LE(at + 4);
    if (total < 12 || total % 4 !== 0 || at + total > file.length || file.readUInt32LE(at + total - 4) !== total) {
      throw captureError('BAD_RECORD', `pcapng: the block at offset ${at} has a bad length (${total})`);
    }
    yield { type, body: file.subarray(at + 8, at + total - 4), at };
    at += total;
  }
}

/** code → value of each option in `bytes`, up to opt_endofopt. */
function optionsOf(bytes: Buffer, at: number): Map<number, Buffer> {
  const options = new Map<number, Buffer>();
  let i = 0;
  while (i + 4 <= bytes.length) {
    const code = bytes.readUInt16LE(i);
    const length = bytes.readUInt16LE(i + 2);
    if (code === PCAPNG_OPTION.END) break;
    if (i + 4 + length > bytes.length) throw captureError('BAD_RECORD', `pcapng: an option of the block at offset ${at} runs past its end`);
    options.set(code, bytes.subarray(i + 4, i + 4 + length));
    i += 4 + ((length + 3) & ~3);
  }
  return options;
}

function directionOf(options: Map<number, Buffer>, at: number): Direction {
  const flags = options.get(PCAPNG_OPTION.EPB_FLAGS);
  const bound = flags !== undefined && flags.length === 4 ? flags.readUInt32LE(0) & 0b11 : 0;
  if (bound === EPB_FLAG_INBOUND) return 'd2h';
  if (bound === EPB_FLAG_OUTBOUND) return 'h2d';
  throw captureError('UNKNOWN_DIRECTION', `pcapng: the packet at offset ${at} has no inbound/outbound epb_flags`);
}

export function readPcapng(bytes: Uint8Array): Capture {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!looksLikePcapng(file)) throw captureError('BAD_HEADER', 'not a pcapng file (no Section Header Block)');
  let tool = 'pcapng (imported)';
  let device: string | undefined;
  let startedAt: string | undefined;
  let interfaces = 0;
  const packets: { us: bigint; dir: Direction; bytes: Uint8Array }[] = [];
  for (const { type, body, at } of blocksOf(file)) {
    if (type === PcapngBlockType.SECTION_HEADER) {
      if (at !== 0) throw captureError('BAD_HEADER', 'pcapng: more than one section (tenkey writes one)');
      if (body.length < 16 || body.readUInt32LE(0) !== PCAPNG_BYTE_ORDER_MAGIC) throw captureError('BAD_HEADER', 'pcapng: not little-endian, or a bad byte-order magic');
      const options = optionsOf(body.subarray(16), at);
      tool = options.get(PCAPNG_OPTION.SHB_USERAPPL)?.toString('utf8') ?? tool;
      const comment = options.get(PCAPNG_OPTION.COMMENT)?.toString('utf8');
      if (comment?.startsWith(SHB_STARTED_AT_PREFIX)) startedAt = comment.slice(SHB_STARTED_AT_PREFIX.length);
    } else if (type === PcapngBlockType.INTERFACE_DESCRIPTION) {
      if (body.length < 8 || body.readUInt16LE(0) !== LINKTYPE_USER0) throw captureError('BAD_HEADER', `pcapng: interface ${interfaces} is not LINKTYPE_USER0 (${LINKTYPE_USER0}): not a tenkey export`);
      const options = optionsOf(body.subarray(8), at);
      const resolution = options.get(PCAPNG_OPTION.IF_TSRESOL);
      if (resolution !== undefined && resolution[0] !== 6) throw captureError('BAD_HEADER', 'pcapng: timestamps are not in microseconds (tenkey writes if_tsresol 6)');
      device ??= options.get(PCAPNG_OPTION.IF_DESCRIPTION)?.toString('utf8');
      interfaces += 1;
    } else if (type === PcapngBlockType.ENHANCED_PACKET) {
      if (body.length < 20) throw captureError('BAD_RECORD', `pcapng: the packet at offset ${at} is too short`);
      const iface = body.readUInt32LE(0);
      const captured = body.readUInt32LE(12);
      if (iface >= interfaces) throw captureError('BAD_RECORD', `pcapng: the packet at offset ${at} names interface ${iface}, which is not described`);
      if (20 + captured > body.length) throw captureError('BAD_RECORD', `pcapng: the packet at offset ${at} is longer than its block`);
      const us = (BigInt(body.readUInt32LE(4)) << 32n) | BigInt(body.readUInt32LE(8));
      const options = optionsOf(body.subarray(20 + ((captured + 3) & ~3)), at);
      packets.push({ us, dir: directionOf(options, at), bytes: new Uint8Array(body.subarray(20, 20 + captured)) });
    } // other block types (name resolution, statistics) carry nothing a capture holds
  }
  if (packets.length === 0) throw captureError('EMPTY', 'pcapng: no packets');
  // The start the writer recorded; without it, the first packet's time is t = 0.
  const startMs = startedAt !== undefined && Number.isFinite(Date.parse(startedAt)) ? Date.parse(startedAt) : Number(packets[0]!.us / 1000n);
  const startUs = BigInt(startMs) * 1000n;
  let last = 0;
  const records: ChunkRecord[] = packets.map((p) => {
    const t = roundCaptureTime(Number(p.us - startUs) / 1000);
    if (t < last) throw captureError('TIME_WENT_BACKWARDS', `pcapng: a packet at ${t} ms comes after one at ${last} ms`);
    last = t;
    return { dir: p.dir, t, bytes: p.bytes };
  });
  return {
    header: {
      format: CAPTURE_FORMAT, version: CAPTURE_FORMAT_VERSION, protocolVersion: PROTOCOL_VERSION,
      captured: { tool, ...(device !== undefined ? { device } : {}), startedAt: startedAt ?? new Date(startMs).toISOString() },
    },
    records,
  };
}
