/** Small helpers the capture-related CLI commands (decode, capture, tap, replay) share. */
import { isCaptureError } from '../../protocol/capture/capture-error.js';
import type { Direction } from '../../protocol/capture/capture-format.js';
import { CAPTURE_INPUT_FORMATS, type CaptureInputFormat, type LoadCaptureOptions } from '../../protocol/capture/load-capture.js';
import { printableText } from '../../protocol/printable-text.js';
import { MAX_CLI_ERROR, UsageError, USAGE_EXIT_CODE } from '../usage-error.js';
import type { HexDirectionFlags } from './format-option.js';

export function hexImportOptionsFrom(flags: HexDirectionFlags): LoadCaptureOptions {
  const options: LoadCaptureOptions = {};
  if (flags.format !== undefined) {
    if (!CAPTURE_INPUT_FORMATS.includes(flags.format as CaptureInputFormat)) {
      throw new UsageError(`--format must be one of ${CAPTURE_INPUT_FORMATS.join(', ')}, not ${JSON.stringify(flags.format)}`);
    }
    options.format = flags.format as CaptureInputFormat;
  }
  if (flags.h2d) options.h2d = flags.h2d;
  if (flags.d2h) options.d2h = flags.d2h;
  if (flags.direction !== undefined) {
    if (flags.direction !== 'h2d' && flags.direction !== 'd2h') {
      throw new UsageError(`--direction must be h2d or d2h, not ${JSON.stringify(flags.direction)}`);
    }
    options.direction = flags.direction as Direction;
  }
  return options;
}

/**
 * One clear line on stderr, never a stack trace for bad input. Exit status: 2 for a usage mistake
 * ({@link UsageError}), else `failureCode` (1 by default; `tenkey replay` passes 2, because its 1 means
 * "replayed, and differences found").
 */
export function reportCliError(command: string, e: unknown, failureCode = 1): void {
  // An OS error quotes the path that was typed: printable, digit runs masked, like every other line.
  const message = printableText((e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' '), MAX_CLI_ERROR);
  const code = isCaptureError(e) ? ` [${e.code}]` : (e as { code?: unknown })?.code ? ` [${String((e as { code: unknown }).code)}]` : '';
  process.stderr.write(`tenkey ${command}: ${message}${code}\n`);
  process.exitCode = e instanceof UsageError ? USAGE_EXIT_CODE : failureCode;
}
