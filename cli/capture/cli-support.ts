/** Small helpers the capture-related CLI commands (decode, capture, tap, replay) share. */
import { isCaptureError } from '../../protocol/capture/capture-error.js';
import type { Direction } from '../../protocol/capture/capture-format.js';
import type { HexImportOptions } from '../../protocol/capture/hex-import.js';

/** Flags shared by the commands that read hex dumps (decode, capture import, replay). */
export interface HexDirectionFlags {
  h2d?: string[];
  d2h?: string[];
  direction?: string;
}

export function hexImportOptionsFrom(flags: HexDirectionFlags): HexImportOptions {
  const options: HexImportOptions = {};
  if (flags.h2d) options.h2d = flags.h2d;
  if (flags.d2h) options.d2h = flags.d2h;
  if (flags.direction !== undefined) {
    if (flags.direction !== 'h2d' && flags.direction !== 'd2h') {
      throw new TypeError(`--direction must be h2d or d2h, not ${JSON.stringify(flags.direction)}`);
    }
    options.direction = flags.direction as Direction;
  }
  return options;
}

/** One clear line on stderr and exit code 1 (2 for a usage mistake); never a stack trace for bad input. */
export function reportCliError(command: string, e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  const code = isCaptureError(e) ? ` [${e.code}]` : (e as { code?: unknown })?.code ? ` [${String((e as { code: unknown }).code)}]` : '';
  process.stderr.write(`tenkey ${command}: ${message}${code}\n`);
  process.exitCode = e instanceof TypeError ? 2 : 1;
}
