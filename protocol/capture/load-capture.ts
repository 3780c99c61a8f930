import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Capture } from './capture-format.js';
import { captureError } from './capture-error.js';
import { parseCapture } from './capture-reader.js';
import { importHexDump, type HexImportOptions } from './hex-import.js';
import { looksLikePcapng, readPcapng } from './pcapng-reader.js';
import { importRawBytes, looksBinary } from './raw-import.js';

/** What an input file is: told from its content (auto), or said by the user. */
export type CaptureInputFormat = 'auto' | 'jsonl' | 'hex' | 'raw' | 'pcapng';
export const CAPTURE_INPUT_FORMATS: readonly CaptureInputFormat[] = ['auto', 'jsonl', 'hex', 'raw', 'pcapng'];

export interface LoadCaptureOptions extends HexImportOptions {
  /** Default auto: pcapng (tenkey's own export) by its magic, a capture if it starts with "{", else a hex dump; other binary input is refused with a hint. */
  format?: CaptureInputFormat;
}

/**
 * The most input decode, capture export/info and replay read: a day of keypad traffic is a few MiB, and a live
 * serial port or /dev/zero never ends. Larger input is refused (TOO_LARGE) instead of growing memory without end.
 */
export const MAX_CAPTURE_INPUT_BYTES = 64 * 1024 * 1024;
const MAX_INPUT_TEXT = `${MAX_CAPTURE_INPUT_BYTES / (1024 * 1024)} MiB`;

function tooLarge(what: string): never {
  throw captureError('TOO_LARGE', `${what} is over ${MAX_CAPTURE_INPUT_BYTES} bytes (${MAX_INPUT_TEXT}), the most a capture may be; split it, or record a shorter one`);
}

/** All of `stream`, or TOO_LARGE as soon as it passes the cap: memory stays within the cap, even on an endless input. */
async function readBounded(stream: Readable, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  // destroyOnReturn false: stdin is the process's, not ours to destroy; a file stream is closed by its handle.
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > MAX_CAPTURE_INPUT_BYTES) {
      stream.pause();
      tooLarge(what);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** FILE's bytes: a regular file over the cap is refused from its size, unread; a device or FIFO is read up to the cap. */
async function readBoundedFile(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const stat = await handle.stat();
    if (stat.isFile() && stat.size > MAX_CAPTURE_INPUT_BYTES) tooLarge(`${path} (${stat.size} bytes)`);
    return await readBounded(handle.createReadStream({ autoClose: false }), path);
  } finally {
    await handle.close();
  }
}

/** A tenkey capture (JSON Lines) or a hex dump (jpnevulator / plain), told apart by the first character. */
export function parseCaptureOrHex(text: string, hexOptions: HexImportOptions = {}): Capture {
  const first = text.trimStart()[0];
  return first === '{' ? parseCapture(text) : importHexDump(text, hexOptions);
}

/** Whether `bytes` read as a whole pcapng file (a raw dump may start with the same four bytes by chance). */
function isPcapng(bytes: Uint8Array): boolean {
  try {
    readPcapng(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Parses input bytes in the given (or detected) format. Throws CaptureError on bad content. */
export function parseCaptureInput(bytes: Uint8Array, options: LoadCaptureOptions = {}): Capture {
  const { format = 'auto', ...hexOptions } = options;
  if (!CAPTURE_INPUT_FORMATS.includes(format)) {
    throw captureError('UNKNOWN_FORMAT', `format must be one of ${CAPTURE_INPUT_FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
  }
  // tenkey's own pcapng export, told by its Section Header Block magic (0x0A0D0D0A).
  if (format === 'auto' || format === 'pcapng') {
    if (looksLikePcapng(bytes)) return readPcapng(bytes);
    if (format === 'pcapng') throw captureError('BAD_HEADER', 'not a pcapng file (no Section Header Block): leave --format out to tell the format from the content');
  } else if (looksLikePcapng(bytes) && isPcapng(bytes)) {
    throw captureError('UNKNOWN_FORMAT', `this is a pcapng file (tenkey capture export --pcapng), not ${format}: read it with --format pcapng (or leave --format out)`);
  }
  if (format === 'raw') return importRawBytes(bytes, hexOptions);
  if (format === 'auto' && looksBinary(bytes)) {
    throw captureError('NOT_TEXT', 'not a tenkey capture (.jsonl) nor a hex dump: looks like binary; for a raw byte dump use --format raw');
  }
  const text = Buffer.from(bytes).toString('utf8');
  if (format === 'jsonl') return parseCapture(text);
  if (format === 'hex') return importHexDump(text, hexOptions);
  return parseCaptureOrHex(text, hexOptions);
}

/**
 * Reads FILE ("-" = stdin) as a capture, a hex dump or (format raw) raw bytes. Throws CaptureError on bad content,
 * TOO_LARGE past {@link MAX_CAPTURE_INPUT_BYTES}.
 */
export async function loadCapture(path: string, options: LoadCaptureOptions = {}): Promise<Capture> {
  const bytes = path === '-' ? await readBounded(process.stdin, 'stdin') : await readBoundedFile(path);
  return parseCaptureInput(bytes, options);
}
