/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): removes every 0x00 from a body so
 * 0x00 can delimit frames. PROTOCOL.md §2.
 */
// Hand-written: it is ~40 lines, and no well-kept npm package decodes COBS bounded and into a reusable buffer.
import { protocolError } from './errors.js';

/** Worst-case encoded length of `length` data bytes (without the 0x00 delimiter). */
export function cobsMaxEncodedLength(length: number): number {
  return length + Math.floor(length / 254) + 1;
}

/**
 * Writes COBS(src) into dest at destOffset (dest needs cobsMaxEncodedLength(src.length) bytes)
 * and returns the number of bytes written. No delimiter is written.
 */
export function cobsEncodeInto(src: Uint8Array, dest: Uint8Array, destOffset = 0): number {
  let codeAt = destOffset; // where the current group's code byte goes
  let out = destOffset + 1;
  let code = 1;
  for (let i = 0; i < src.length; i++) {
    const byte = src[i]!;
    if (byte === 0) {
      dest[codeAt] = code;
      codeAt = out++;
      code = 1;
      continue;
    }
    dest[out++] = byte;
    code++;
    // A full 254-byte group ends without an implied zero; open another group only if data remains.
    if (code === 0xff) {
      dest[codeAt] = code;
      code = 1;
      if (i + 1 < src.length) codeAt = out++;
      else return out - destOffset;
    }
  }
  dest[codeAt] = code;
  return out - destOffset;
}

/** COBS-encodes `data` (no trailing delimiter). */
export function cobsEncode(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(cobsMaxEncodedLength(data.length));
  return out.subarray(0, cobsEncodeInto(data, out));
}

/** cobsDecodeInto result: not valid COBS. */
export const COBS_INVALID = -1;
/** cobsDecodeInto result: the decoded data is longer than the destination. */
export const COBS_OVERFLOW = -2;

/**
 * Decodes src[start, end) into dest and returns the decoded length; COBS_INVALID when the input is not
 * valid COBS (a code byte pointing past the end), COBS_OVERFLOW when the result would not fit in dest.
 * The caller guarantees the window holds no 0x00 (it was cut at delimiters, or checked with indexOf):
 * that keeps the per-byte loop to a copy. Never throws: this is the hot path of the stream decoder.
 */
export function cobsDecodeInto(src: Uint8Array, start: number, end: number, dest: Uint8Array): number {
  const limit = dest.length;
  let out = 0;
  let i = start;
  while (i < end) {
    const code = src[i]!;
    const groupEnd = i + code;
    if (groupEnd > end) return COBS_INVALID;
    if (out + code - 1 > limit) return COBS_OVERFLOW;
    for (i++; i < groupEnd; i++) dest[out++] = src[i]!;
    // Every group except a full one (0xFF) and the last one stands for a zero after its data.
    if (code !== 0xff && i < end) {
      if (out >= limit) return COBS_OVERFLOW;
      dest[out++] = 0;
    }
  }
  return out;
}

/** Decodes one COBS block (without delimiter). Throws ProtocolError BAD_COBS on invalid input. */
export function cobsDecode(encoded: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(encoded.length);
  const length = encoded.indexOf(0) !== -1 ? COBS_INVALID : cobsDecodeInto(encoded, 0, encoded.length, out);
  if (length < 0) throw protocolError('BAD_COBS', 'invalid COBS data');
  return out.subarray(0, length);
}
