import { readFile } from 'node:fs/promises';
import type { Capture } from './capture-format.js';
import { parseCapture } from './capture-reader.js';
import { importHexDump, type HexImportOptions } from './hex-import.js';

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** A tenkey capture (JSON Lines) or a hex dump (jpnevulator / plain), told apart by the first character. */
export function parseCaptureOrHex(text: string, hexOptions: HexImportOptions = {}): Capture {
  const first = text.trimStart()[0];
  return first === '{' ? parseCapture(text) : importHexDump(text, hexOptions);
}

/** Reads FILE ("-" = stdin) as a capture or a hex dump. Throws CaptureError on bad content. */
export async function loadCapture(path: string, hexOptions: HexImportOptions = {}): Promise<Capture> {
  const text = path === '-' ? await readAllStdin() : await readFile(path, 'utf8');
  return parseCaptureOrHex(text, hexOptions);
}
