import {
  CAPTURE_FORMAT,
  CAPTURE_FORMAT_VERSION,
  roundCaptureTime,
  type Capture,
  type ChunkRecord,
  type Direction,
} from './capture-format.js';
import { captureError } from './capture-error.js';
import { framesOfRecords } from './capture-frames.js';
import { PROTOCOL_VERSION } from '../constants.js';

/**
 * Turns hex dumps into captures. Two inputs are understood:
 *
 * 1. `jpnevulator --read --timing-print [--ascii] [--byte-count] --tty A:alias --tty B:alias` output:
 *      2026-11-26 10:00:00.123456: host          ← a timing line (local time, µs), then the tty name or
 *      0B 01 01 00 …  (16 per line)   ....       ← alias when more than one tty is read; hex bytes, an
 *                                                   optional `\t`ascii column, an optional `%08X\t` counter.
 *    Without --timing-print jpnevulator prints a bare name line when the tty changes. Each timing/name line
 *    starts a chunk; the hex lines under it are that chunk.
 * 2. Plain hex, one chunk per line: `[h2d|d2h|>|<] [@MS] HEX`, where HEX is bytes with or without spaces
 *    (optionally `0x`-prefixed), `>` means host → device and `<` device → host, and `@MS` a time in ms.
 *    `#` starts a comment.
 *
 * Directions: a name is mapped with `h2d`/`d2h` options (tty path or alias); the names h2d, host, pc map
 * to h2d and d2h, device, keypad, tenkey to d2h. A name still unmapped (or a dump with no names) gets the
 * direction its frames' FROM_DEVICE flag shows; if no frame in it decodes, UNKNOWN_DIRECTION.
 */
export interface HexImportOptions {
  /** tty paths or aliases whose bytes travel host → device. */
  h2d?: string[];
  /** tty paths or aliases whose bytes travel device → host. */
  d2h?: string[];
  /** Direction for lines that name none (single-tty dumps, plain hex without markers). */
  direction?: Direction;
  /** `captured.tool` for the header; default says which importer read it. */
  tool?: string;
  /** `captured.device`. */
  device?: string;
  note?: string;
}

const JPNEVULATOR_TIMING = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6}):(?: (.*))?$/;
const BYTE_COUNTER = /^[0-9A-Fa-f]{8}$/;
const SPACED_HEX = /^[0-9A-Fa-f]{2}(?: [0-9A-Fa-f]{2})*$/;
const WELL_KNOWN_NAMES: Readonly<Record<string, Direction>> = {
  h2d: 'h2d', host: 'h2d', pc: 'h2d',
  d2h: 'd2h', device: 'd2h', keypad: 'd2h', tenkey: 'd2h',
};

/** A chunk before its direction is known: `source` is the tty name/alias or marker, '' when none. */
export interface RawChunk {
  source: string;
  t: number;
  bytes: number[];
  line: number;
}

export function looksLikeJpnevulator(text: string): boolean {
  return text.split('\n', 50).some((l) => JPNEVULATOR_TIMING.test(l.trimEnd()));
}

/** Imports either dump style (detected from the text). */
export function importHexDump(text: string, options: HexImportOptions = {}): Capture {
  return looksLikeJpnevulator(text) ? importJpnevulator(text, options) : importPlainHex(text, options);
}

export function importJpnevulator(text: string, options: HexImportOptions = {}): Capture {
  const chunks: RawChunk[] = [];
  let current: RawChunk | undefined;
  let firstMs: number | undefined;
  let startedAt: string | undefined;
  let currentSource = '';
  let currentT = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.trim() === '') continue;
    const timing = JPNEVULATOR_TIMING.exec(line.trimEnd());
    if (timing) {
      const [, y, mo, d, h, mi, s, us, name] = timing;
      // jpnevulator prints local time without a zone: only differences matter here, so read it as UTC.
      const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + Number(us) / 1000;
      firstMs ??= ms;
      startedAt ??= `${y}-${mo}-${d}T${h}:${mi}:${s}.${us}`;
      currentT = roundCaptureTime(ms - firstMs);
      if (name !== undefined && name.trim() !== '') currentSource = name.trim();
      current = { source: currentSource, t: currentT, bytes: [], line: lineNo };
      chunks.push(current);
      continue;
    }
    const bytes = jpnevulatorDataLine(line);
    if (bytes === undefined) {
      // Not data: the bare tty-name line jpnevulator prints between ttys when timing is off.
      if (/\s/.test(line.trim()) || line.includes('\t')) {
        throw captureError('BAD_HEX', `neither a timing line, a tty name, nor hex bytes: ${JSON.stringify(line.slice(0, 60))}`, lineNo);
      }
      currentSource = line.trim();
      current = { source: currentSource, t: currentT, bytes: [], line: lineNo };
      chunks.push(current);
      continue;
    }
    if (current === undefined) {
      current = { source: currentSource, t: currentT, bytes: [], line: lineNo };
      chunks.push(current);
    }
    current.bytes.push(...bytes);
  }
  return assembleImportedChunks(chunks, options, options.tool ?? 'jpnevulator (imported)', startedAt);
}

/** Hex bytes of a jpnevulator data line, or undefined if the line is not one. */
function jpnevulatorDataLine(line: string): number[] | undefined {
  const fields = line.split('\t');
  let hexField = fields[0] ?? '';
  if (fields.length >= 2 && BYTE_COUNTER.test(hexField) && SPACED_HEX.test((fields[1] ?? '').trim())) {
    hexField = fields[1] ?? '';
  }
  const trimmed = hexField.trim();
  if (!SPACED_HEX.test(trimmed)) return undefined;
  return trimmed.split(' ').map((b) => parseInt(b, 16));
}

const PLAIN_LINE = /^(?:(h2d|d2h|>|<)\s*:?\s*)?(?:@(\d+(?:\.\d+)?)\s+)?(.*)$/i;

export function importPlainHex(text: string, options: HexImportOptions = {}): Capture {
  const chunks: RawChunk[] = [];
  const lines = text.split('\n');
  let lastT = 0;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = (lines[i] ?? '').replace(/#.*$/, '').trim();
    if (line === '') continue;
    const m = PLAIN_LINE.exec(line);
    const marker = (m?.[1] ?? '').toLowerCase();
    const source = marker === '>' ? 'h2d' : marker === '<' ? 'd2h' : marker;
    const t = m?.[2] !== undefined ? Number(m[2]) : lastT;
    if (t < lastT) throw captureError('TIME_WENT_BACKWARDS', `@${t} is before the previous line's @${lastT}`, lineNo);
    lastT = t;
    const hex = (m?.[3] ?? '').replace(/0x/gi, '').replace(/[\s,:]/g, '');
    if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) {
      throw captureError('BAD_HEX', `expected whole hex bytes, got ${JSON.stringify((m?.[3] ?? '').slice(0, 60))}`, lineNo);
    }
    chunks.push({ source, t, bytes: [...Buffer.from(hex, 'hex')], line: lineNo });
  }
  return assembleImportedChunks(chunks, options, options.tool ?? 'plain hex (imported)', undefined);
}

/** Turns chunks read from a dump into a capture, settling each source's direction. */
export function assembleImportedChunks(chunks: RawChunk[], options: HexImportOptions, tool: string, startedAt: string | undefined): Capture {
  const nonEmpty = chunks.filter((c) => c.bytes.length > 0);
  if (nonEmpty.length === 0) throw captureError('EMPTY', 'no hex bytes found');
  const directionOf = resolveDirections(nonEmpty, options);
  const records: ChunkRecord[] = nonEmpty.map((c) => ({
    dir: directionOf.get(c.source) as Direction,
    t: c.t,
    bytes: Uint8Array.from(c.bytes),
  }));
  const captured = options.device === undefined
    ? { tool, startedAt: startedAt ?? new Date(0).toISOString() }
    : { tool, device: options.device, startedAt: startedAt ?? new Date(0).toISOString() };
  const capture: Capture = {
    header: { format: CAPTURE_FORMAT, version: CAPTURE_FORMAT_VERSION, protocolVersion: PROTOCOL_VERSION, captured },
    records,
  };
  if (options.note !== undefined) capture.header.note = options.note;
  return capture;
}

function resolveDirections(chunks: RawChunk[], options: HexImportOptions): Map<string, Direction> {
  const result = new Map<string, Direction>();
  const explicit = new Map<string, Direction>();
  for (const name of options.h2d ?? []) explicit.set(name, 'h2d');
  for (const name of options.d2h ?? []) explicit.set(name, 'd2h');
  for (const source of new Set(chunks.map((c) => c.source))) {
    const direction =
      explicit.get(source) ??
      WELL_KNOWN_NAMES[source.toLowerCase()] ??
      (source === '' ? options.direction : undefined) ??
      inferFromFrames(chunks.filter((c) => c.source === source));
    if (direction === undefined) {
      const first = chunks.find((c) => c.source === source);
      const what = source === '' ? 'these bytes' : `tty ${JSON.stringify(source)}`;
      throw captureError('UNKNOWN_DIRECTION', `cannot tell the direction of ${what}: map it with --h2d/--d2h (or --direction)`, first?.line);
    }
    result.set(source, direction);
  }
  return result;
}

/** Every tenkey frame says where it came from (FROM_DEVICE): a stream's decodable frames settle its direction. */
function inferFromFrames(chunks: RawChunk[]): Direction | undefined {
  let fromDevice = 0;
  let fromHost = 0;
  const frames = framesOfRecords(chunks.map((c) => ({ dir: 'h2d' as const, t: c.t, bytes: Uint8Array.from(c.bytes) })));
  for (const f of frames) {
    if (!f.result.ok) continue;
    if (f.result.frame.fromDevice) fromDevice++;
    else fromHost++;
  }
  if (fromDevice === fromHost) return undefined;
  return fromDevice > fromHost ? 'd2h' : 'h2d';
}
