/**
 * Every problem with capture input (a tenkey capture file, a jpnevulator dump, plain hex) is one
 * CaptureError with a stable `code` and, when it came from a file, the 1-based line it is on.
 * Tests assert `code` and `line`, not the message.
 */
import { CodedError } from '../coded-error.js';

export const CaptureErrorCode = {
  /** The line is not a JSON object. */
  BAD_JSON: 'BAD_JSON',
  /** The first record is missing or is not a tenkey-capture header. */
  BAD_HEADER: 'BAD_HEADER',
  /** The header names a format version this reader does not know. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** A chunk record lacks a field, or a field has the wrong type or range. */
  BAD_RECORD: 'BAD_RECORD',
  /** A `hex` field (or a hex dump line) holds something other than whole hex bytes. */
  BAD_HEX: 'BAD_HEX',
  /** A record's `t` is smaller than the one before it: chunks are stored in arrival order. */
  TIME_WENT_BACKWARDS: 'TIME_WENT_BACKWARDS',
  /** A hex dump line whose direction cannot be told (no tty name/marker mapped to h2d or d2h). */
  UNKNOWN_DIRECTION: 'UNKNOWN_DIRECTION',
  /** The input holds no header and no data at all. */
  EMPTY: 'EMPTY',
  /** The input is binary, neither a capture nor a hex dump (a raw byte dump is read with format "raw"). */
  NOT_TEXT: 'NOT_TEXT',
  /** An input format name that is not one of auto, jsonl, hex, raw. */
  UNKNOWN_FORMAT: 'UNKNOWN_FORMAT',
  /** The input is larger than MAX_CAPTURE_INPUT_BYTES (64 MiB), or never ends (a live port, /dev/zero). */
  TOO_LARGE: 'TOO_LARGE',
} as const;
export type CaptureErrorCodeName = keyof typeof CaptureErrorCode;

export class CaptureError extends CodedError<CaptureErrorCodeName> {
  constructor(
    code: CaptureErrorCodeName,
    message: string,
    /** 1-based line number in the input, when the error is tied to one line. */
    readonly line?: number,
  ) {
    super(code, line === undefined ? message : `line ${line}: ${message}`);
  }
}

export function captureError(code: CaptureErrorCodeName, message: string, line?: number): CaptureError {
  return new CaptureError(code, message, line);
}

export function isCaptureError(e: unknown): e is CaptureError {
  return e instanceof CaptureError;
}
