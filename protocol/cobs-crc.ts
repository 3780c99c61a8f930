/**
 * COBS decoding and the CRC-16/CCITT-FALSE check in one pass over the frame, for the stream decoder's hot
 * path. cobs.ts and crc16.ts stay the reference implementations; tests check this agrees with both.
 *
 * Why fused: a typical frame is ~14 bytes, so two passes (decode, then CRC the decoded body) cost two
 * loop setups and reading every byte twice; in one loop each byte is CRC'd while it is still in a register.
 */
import crc16ccitt from 'crc/calculators/crc16ccitt';
import { COBS_INVALID, COBS_OVERFLOW } from './cobs.js';

/**
 * The `crc` package's table, read back through its public calculator (one byte from a zero register
 * leaves exactly TABLE[byte]), so the polynomial has a single source.
 */
const CRC_TABLE = Uint16Array.from({ length: 256 }, (_, byte) => crc16ccitt(Uint8Array.of(byte), 0));
/**
 * Two bytes per step (slice-by-2): the register after `byte` then 0x00, from zero. The CRC is linear, so
 * feeding b0, b1 to register r is CRC_TABLE_2[(r >> 8) ^ b0] ^ CRC_TABLE[(r & 0xff) ^ b1]: two independent
 * lookups instead of a chain of two, which is what bounds the per-byte speed.
 */
const CRC_TABLE_2 = Uint16Array.from({ length: 256 }, (_, byte) => crc16ccitt(Uint8Array.of(byte, 0), 0));

/** Where cobsDecodeCrcInto leaves the CRC register. */
export interface CrcResidue {
  crcResidue: number;
}

/**
 * cobsDecodeInto (same contract and results: decoded length, COBS_INVALID or COBS_OVERFLOW; the window
 * holds no 0x00) that also runs CRC-16/CCITT-FALSE over every decoded byte, CRC bytes included, and leaves
 * the register in `out.crcResidue`. For this CRC (not reflected, no final xor) running it over
 * data + CRC(data) big-endian always ends at 0, and any other two trailing bytes end elsewhere, so
 * "residue 0" is exactly "the frame's CRC matches" with no need to know where the data ends.
 */
export function cobsDecodeCrcInto(src: Uint8Array, start: number, end: number, dest: Uint8Array, out: CrcResidue): number {
  const limit = dest.length;
  let crc = 0xffff;
  let length = 0;
  let i = start;
  while (i < end) {
    const code = src[i]!;
    const groupEnd = i + code;
    if (groupEnd > end) return COBS_INVALID;
    if (length + code - 1 > limit) return COBS_OVERFLOW;
    for (i++; i < groupEnd; i++) {
      const byte = src[i]!;
      dest[length++] = byte;
      crc = (CRC_TABLE[(crc >> 8) ^ byte]! ^ (crc << 8)) & 0xffff;
    }
    // Every group except a full one (0xFF) and the last one stands for a zero after its data.
    if (code !== 0xff && i < end) {
      if (length >= limit) return COBS_OVERFLOW;
      dest[length++] = 0;
      crc = (CRC_TABLE[crc >> 8]! ^ (crc << 8)) & 0xffff;
    }
  }
  out.crcResidue = crc;
  return length;
}

/** What cobsDecodeToDelimiter leaves besides the CRC register. */
export interface DelimitedDecode extends CrcResidue {
  decodedLength: number;
}

/** cobsDecodeToDelimiter result: not the simple case; find the delimiter with indexOf and decode the usual way. */
export const NOT_DELIMITED = -1;

/**
 * The stream decoder's fast path: decodes and CRCs the frame starting at src[start] (a nonzero byte) up
 * to the 0x00 that ends it, finding that delimiter on the way instead of scanning for it first (a
 * Buffer.indexOf call costs about as much as decoding a short frame). Returns the delimiter's index, with
 * the decoded length in `out.decodedLength` and the CRC register in `out.crcResidue`, exactly what
 * cobsDecodeCrcInto(src, start, delimiter, dest) would give.
 *
 * Returns NOT_DELIMITED, having decided nothing, for every other case: no delimiter before srcEnd, a frame
 * longer than maxEncoded, invalid COBS (a 0x00 inside a group) or a body too big for dest. The caller
 * then handles the bytes from `start` as if this had not been called.
 */
export function cobsDecodeToDelimiter(
  src: Uint8Array, start: number, srcEnd: number, maxEncoded: number, dest: Uint8Array, out: DelimitedDecode,
): number {
  const limit = dest.length;
  // The delimiter must lie before this (in the chunk, and at most maxEncoded bytes after start).
  const stop = Math.min(srcEnd, start + maxEncoded + 1);
  let crc = 0xffff;
  let length = 0;
  let i = start;
  let code = src[i]!;
  for (;;) {
    const groupEnd = i + code;
    if (groupEnd >= stop || length + code - 1 > limit) return NOT_DELIMITED;
    for (i++; i + 1 < groupEnd; i += 2) {
      const b0 = src[i]!;
      const b1 = src[i + 1]!;
      if (b0 === 0 || b1 === 0) return NOT_DELIMITED;
      dest[length] = b0;
      dest[length + 1] = b1;
      length += 2;
      const x = crc ^ ((b0 << 8) | b1);
      crc = CRC_TABLE_2[x >> 8]! ^ CRC_TABLE[x & 0xff]!;
    }
    if (i < groupEnd) {
      const byte = src[i++]!;
      if (byte === 0) return NOT_DELIMITED;
      dest[length++] = byte;
      crc = (CRC_TABLE[(crc >> 8) ^ byte]! ^ (crc << 8)) & 0xffff;
    }
    const next = src[i]!;
    if (next === 0) break;
    // More groups follow, so this one (unless full) stands for a zero after its data.
    if (code !== 0xff) {
      if (length >= limit) return NOT_DELIMITED;
      dest[length++] = 0;
      crc = (CRC_TABLE[crc >> 8]! ^ (crc << 8)) & 0xffff;
    }
    code = next;
  }
  out.decodedLength = length;
  out.crcResidue = crc;
  return i;
}
