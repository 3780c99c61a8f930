import { readFile } from 'node:fs/promises';
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

async function readAllStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
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

/** Reads FILE ("-" = stdin) as a capture, a hex dump or (format raw) raw bytes. Throws CaptureError on bad content. */
export async function loadCapture(path: string, options: LoadCaptureOptions = {}): Promise<Capture> {
  const bytes = path === '-' ? await readAllStdin() : await readFile(path);
  return parseCaptureInput(bytes, options);
}
