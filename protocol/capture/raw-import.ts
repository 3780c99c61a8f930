/**
 * Raw byte dumps: what `cat /dev/ttyUSB0 > dump.bin` (or any sniffer writing bytes as they came) gives — one
 * direction of the line, no times. The whole dump becomes one chunk at t = 0 in the direction given, or, when
 * none is, the one its frames' FROM_DEVICE flag shows (as for hex dumps).
 */
import { isUtf8 } from 'node:buffer';
import type { Capture } from './capture-format.js';
import { assembleImportedChunks, type HexImportOptions } from './hex-import.js';

export function importRawBytes(bytes: Uint8Array, options: HexImportOptions = {}): Capture {
  return assembleImportedChunks([{ source: '', t: 0, bytes: [...bytes], line: 1 }], options, options.tool ?? 'raw bytes (imported)', undefined);
}

/**
 * Whether `bytes` cannot be a text capture or hex dump: invalid UTF-8, or a control character other than
 * tab, CR, LF. Every tenkey frame ends in 0x00, so a raw dump of the line always is.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  if (!isUtf8(bytes)) return true;
  for (const b of bytes) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return true;
  return false;
}
