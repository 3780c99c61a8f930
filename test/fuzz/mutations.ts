/**
 * Fuzz inputs as data: a corpus of valid frames and the ways a bad line or a buggy peer mangles them. A
 * mutation is a plain object, so fast-check can generate and shrink it (test/fuzz) and a seeded PRNG can draw a
 * million of them cheaply (bench/cases/fuzz.ts); one `applyMutation` serves both.
 */
import { cobsDecode, cobsEncode, crc16CcittFalse, decodeFrame, HEADER_SIZE, MAX_ENCODED_SIZE } from '../../protocol/index.js';
import type { Random } from '../../device-sim/faults/prng.js';

/** One valid frame: its body (header + payload + CRC) and its wire form (COBS + 0x00). */
export interface CorpusFrame {
  body: Buffer;
  wire: Buffer;
}

export type Mutation =
  /** No change: a valid frame among the garbage (valid frames must still get through). */
  | { kind: 'none' }
  /** Flip one bit of the wire bytes (`at` is taken modulo the length). */
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'insert'; at: number; byte: number }
  | { kind: 'delete'; at: number }
  /** Cut the wire bytes short (the delimiter goes too). */
  | { kind: 'truncate'; at: number }
  /** The head of this frame glued to the tail of another (`other` indexes the corpus). */
  | { kind: 'splice'; other: number; at: number; otherAt: number }
  /** A header or payload byte changed and the CRC recomputed: reaches the checks after the CRC (§3.5 7–12). */
  | { kind: 'body'; at: number; byte: number }
  /** The header's length field set to a lie, CRC recomputed. */
  | { kind: 'length'; value: number }
  /** A run of non-zero bytes with no delimiter, longer than any frame, before the frame. */
  | { kind: 'oversized'; length: number; byte: number }
  /** Extra 0x00 delimiters at a point of the frame. */
  | { kind: 'delimiters'; at: number; count: number }
  /** Random bytes instead of the frame. */
  | { kind: 'random'; bytes: Uint8Array };

export const MUTATION_KINDS = [
  'none', 'flip', 'insert', 'delete', 'truncate', 'splice', 'body', 'length', 'oversized', 'delimiters', 'random',
] as const satisfies readonly Mutation['kind'][];

/** The corpus entry for a wire frame (as encodeFrame gives it). */
export function corpusFrame(wire: Buffer): CorpusFrame {
  const decoded = decodeFrame(wire);
  if (!decoded.ok) throw new Error(`corpus frame does not decode: ${decoded.error.code}`);
  const body = cobsDecode(wire.subarray(0, wire.length - 1));
  return { body, wire };
}

/** Body → wire with the CRC recomputed over whatever header and payload it now holds. */
function rewire(body: Buffer): Buffer {
  body.writeUInt16BE(crc16CcittFalse(body, 0, body.length - 2), body.length - 2);
  return Buffer.concat([cobsEncode(body), Buffer.of(0)]);
}

const index = (at: number, length: number): number => (length === 0 ? 0 : ((at % length) + length) % length);

/** The bytes a mutation makes of `frame` (corpus needed for splices). Never throws. */
export function applyMutation(frame: CorpusFrame, mutation: Mutation, corpus: readonly CorpusFrame[]): Buffer {
  const { wire } = frame;
  switch (mutation.kind) {
    case 'none':
      return wire;
    case 'flip': {
      const out = Buffer.from(wire);
      const at = index(mutation.at, out.length);
      out[at]! ^= 1 << (mutation.bit & 7);
      return out;
    }
    case 'insert': {
      const at = index(mutation.at, wire.length + 1);
      return Buffer.concat([wire.subarray(0, at), Buffer.of(mutation.byte & 0xff), wire.subarray(at)]);
    }
    case 'delete': {
      const at = index(mutation.at, wire.length);
      return Buffer.concat([wire.subarray(0, at), wire.subarray(at + 1)]);
    }
    case 'truncate':
      return wire.subarray(0, index(mutation.at, wire.length));
    case 'splice': {
      const other = corpus[index(mutation.other, corpus.length)]!.wire;
      return Buffer.concat([wire.subarray(0, index(mutation.at, wire.length)), other.subarray(index(mutation.otherAt, other.length))]);
    }
    case 'body': {
      const body = Buffer.from(frame.body);
      body[index(mutation.at, body.length - 2)] = mutation.byte & 0xff;
      return rewire(body);
    }
    case 'length': {
      const body = Buffer.from(frame.body);
      body.writeUInt16BE(mutation.value & 0xffff, HEADER_SIZE - 2);
      return rewire(body);
    }
    case 'oversized':
      return Buffer.concat([Buffer.alloc(mutation.length, (mutation.byte % 255) + 1), wire]);
    case 'delimiters': {
      const at = index(mutation.at, wire.length + 1);
      return Buffer.concat([wire.subarray(0, at), Buffer.alloc(mutation.count), wire.subarray(at)]);
    }
    case 'random':
      return Buffer.from(mutation.bytes);
  }
}

/** Longest run the oversized mutation writes: well past the largest encoded frame. */
export const MAX_OVERSIZED_RUN = 3 * MAX_ENCODED_SIZE;

/** A mutation drawn from a seeded PRNG (the bench's million; the test suite uses fast-check's arbitraries). */
export function randomMutation(random: Random, corpusSize: number): Mutation {
  const int = (n: number) => Math.floor(random() * n);
  const kind = MUTATION_KINDS[int(MUTATION_KINDS.length)]!;
  switch (kind) {
    case 'none': return { kind };
    case 'flip': return { kind, at: int(4096), bit: int(8) };
    case 'insert': return { kind, at: int(4096), byte: int(256) };
    case 'delete': return { kind, at: int(4096) };
    case 'truncate': return { kind, at: int(4096) };
    case 'splice': return { kind, other: int(corpusSize), at: int(4096), otherAt: int(4096) };
    case 'body': return { kind, at: int(4096), byte: int(256) };
    case 'length': return { kind, value: int(0x10000) };
    case 'oversized': return { kind, length: MAX_ENCODED_SIZE - 8 + int(MAX_OVERSIZED_RUN - MAX_ENCODED_SIZE + 16), byte: int(256) };
    case 'delimiters': return { kind, at: int(4096), count: 1 + int(4) };
    case 'random': {
      const bytes = new Uint8Array(int(64));
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(256);
      return { kind, bytes };
    }
  }
}
