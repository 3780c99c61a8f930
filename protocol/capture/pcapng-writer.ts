import type { Capture, Direction } from './capture-format.js';
import { isChunkRecord } from './capture-format.js';
import { framesOfCapture } from './capture-frames.js';

/**
 * Writes a capture as pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html) so Wireshark
 * and tshark can open it: one Section Header Block, one Interface Description Block with
 * LINKTYPE_USER0 (147), and one Enhanced Packet Block per chunk or per frame.
 * Hand-written because it is ~100 lines of fixed layout, and the npm pcapng packages are readers, or
 * unmaintained writers without EPB options (we need epb_flags for direction).
 *
 * Direction is seen from the host, where a tap sits: d2h = inbound (epb_flags bits 0–1 = 01),
 * h2d = outbound (10). Timestamps are microseconds since the Unix epoch: header startedAt + t.
 */
export const LINKTYPE_USER0 = 147;

export const PcapngBlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  ENHANCED_PACKET: 0x00000006,
} as const;

export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** The option codes written here (and read back by pcapng-reader.ts). */
export const PCAPNG_OPTION = {
  END: 0,
  COMMENT: 1,
  SHB_USERAPPL: 4,
  IF_NAME: 2,
  IF_DESCRIPTION: 3,
  IF_TSRESOL: 9,
  EPB_FLAGS: 2,
} as const;
const { END: OPT_ENDOFOPT, COMMENT: OPT_COMMENT, SHB_USERAPPL, IF_NAME, IF_DESCRIPTION, IF_TSRESOL, EPB_FLAGS } = PCAPNG_OPTION;

/** The section comment that keeps the capture's start, so reading the file back gives the same times. */
export const SHB_STARTED_AT_PREFIX = 'tenkey capture started at ';

export const EPB_FLAG_INBOUND = 0b01;
export const EPB_FLAG_OUTBOUND = 0b10;

export interface PcapngOptions {
  /** One packet per raw chunk as it arrived, or per delimiter-terminated frame (default: frame). */
  unit?: 'chunk' | 'frame';
  /** shb_userappl text. */
  application?: string;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function option(code: number, value: Buffer): Buffer {
  const out = Buffer.alloc(4 + pad4(value.length));
  out.writeUInt16LE(code, 0);
  out.writeUInt16LE(value.length, 2);
  value.copy(out, 4);
  return out;
}

function optionsBlock(options: Buffer[]): Buffer {
  if (options.length === 0) return Buffer.alloc(0);
  return Buffer.concat([...options, option(OPT_ENDOFOPT, Buffer.alloc(0))]);
}

/** type, total length, body, total length again (so readers can walk backwards). */
function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(total, 4);
  body.copy(out, 8);
  out.writeUInt32LE(total, total - 4);
  return out;
}

export function sectionHeaderBlock(application: string, startedAt?: string): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(PCAPNG_BYTE_ORDER_MAGIC, 0);
  fixed.writeUInt16LE(1, 4); // major
  fixed.writeUInt16LE(0, 6); // minor
  fixed.writeBigInt64LE(-1n, 8); // section length not given
  const options = [option(SHB_USERAPPL, Buffer.from(application))];
  if (startedAt !== undefined) options.push(option(OPT_COMMENT, Buffer.from(`${SHB_STARTED_AT_PREFIX}${startedAt}`)));
  return block(PcapngBlockType.SECTION_HEADER, Buffer.concat([fixed, optionsBlock(options)]));
}

export function interfaceDescriptionBlock(name: string, description: string): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(LINKTYPE_USER0, 0);
  fixed.writeUInt16LE(0, 2); // reserved
  fixed.writeUInt32LE(0, 4); // snaplen: no limit
  const options = [
    option(IF_NAME, Buffer.from(name)),
    option(IF_DESCRIPTION, Buffer.from(description)),
    option(IF_TSRESOL, Buffer.from([6])), // 10^-6 s
  ];
  return block(PcapngBlockType.INTERFACE_DESCRIPTION, Buffer.concat([fixed, optionsBlock(options)]));
}

export function enhancedPacketBlock(timestampUs: bigint, data: Uint8Array, dir: Direction, comment?: string): Buffer {
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32LE(0, 0); // interface id
  fixed.writeUInt32LE(Number(timestampUs >> 32n), 4);
  fixed.writeUInt32LE(Number(timestampUs & 0xffffffffn), 8);
  fixed.writeUInt32LE(data.length, 12); // captured length
  fixed.writeUInt32LE(data.length, 16); // original length
  const padded = Buffer.alloc(pad4(data.length));
  Buffer.from(data).copy(padded);
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE(dir === 'd2h' ? EPB_FLAG_INBOUND : EPB_FLAG_OUTBOUND, 0);
  const options = [option(EPB_FLAGS, flags)];
  if (comment !== undefined) options.push(option(OPT_COMMENT, Buffer.from(comment)));
  return block(PcapngBlockType.ENHANCED_PACKET, Buffer.concat([fixed, padded, optionsBlock(options)]));
}

/** Capture start in µs since the epoch; a start time that does not parse counts from 0. */
function startMicros(startedAt: string): bigint {
  const ms = Date.parse(startedAt);
  return Number.isFinite(ms) ? BigInt(ms) * 1000n : 0n;
}

export function captureToPcapng(capture: Capture, options: PcapngOptions = {}): Buffer {
  const start = startMicros(capture.header.captured.startedAt);
  const at = (t: number): bigint => start + BigInt(Math.round(t * 1000));
  const blocks: Buffer[] = [
    sectionHeaderBlock(options.application ?? capture.header.captured.tool, capture.header.captured.startedAt),
    interfaceDescriptionBlock('tenkey', capture.header.captured.device ?? 'tenkey serial link (COBS frames, 0x00-delimited)'),
  ];
  if (options.unit === 'chunk') {
    for (const record of capture.records) {
      if (isChunkRecord(record)) blocks.push(enhancedPacketBlock(at(record.t), record.bytes, record.dir));
    }
  } else {
    for (const frame of framesOfCapture(capture)) {
      blocks.push(enhancedPacketBlock(at(frame.t), frame.raw, frame.dir));
    }
  }
  return Buffer.concat(blocks);
}
