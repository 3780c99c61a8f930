import type { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import {
  CAPTURE_FORMAT,
  CAPTURE_FORMAT_VERSION,
  type CaptureHeader,
  type CaptureOrigin,
  type CaptureRecord,
  type CaptureScenario,
  type Capture,
  type Direction,
  type LinkSide,
} from './capture-format.js';
import { serializeHeader, serializeRecord } from './capture-codec.js';
import { PROTOCOL_VERSION } from '../constants.js';

export interface CaptureWriterOptions {
  /** Header `captured` fields; `startedAt` defaults to now. */
  captured: Omit<CaptureOrigin, 'startedAt'> & { startedAt?: string };
  note?: string;
  scenario?: CaptureScenario;
  /** Monotonic milliseconds; default performance.now(). A virtual clock's now() makes captures in virtual time. */
  now?: () => number;
}

/**
 * Streams a capture to a Writable, one line per record as it happens, so a capture survives a crash up
 * to its last chunk. The header is written at once.
 */
export class CaptureWriter {
  private readonly out: Writable;
  private readonly now: () => number;
  private readonly startedAt: number;
  private lastT = 0;
  private closed = false;

  constructor(out: Writable, options: CaptureWriterOptions) {
    this.out = out;
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    const header: CaptureHeader = {
      format: CAPTURE_FORMAT,
      version: CAPTURE_FORMAT_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      captured: { ...options.captured, startedAt: options.captured.startedAt ?? new Date().toISOString() },
    };
    if (options.note !== undefined) header.note = options.note;
    if (options.scenario !== undefined) header.scenario = options.scenario;
    this.out.write(serializeHeader(header) + '\n');
  }

  /** Milliseconds since the capture started, never going backwards. */
  elapsed(): number {
    this.lastT = Math.max(this.lastT, this.now() - this.startedAt);
    return this.lastT;
  }

  /** Records a chunk as it arrived. Empty chunks are skipped (they carry nothing). */
  chunk(dir: Direction, bytes: Uint8Array): void {
    if (this.closed || bytes.length === 0) return;
    this.write({ dir, t: this.elapsed(), bytes: Uint8Array.from(bytes) });
  }

  /** Records a side of the link going away or coming back. */
  linkEvent(event: 'open' | 'close', side: LinkSide): void {
    if (this.closed) return;
    this.write({ event, side, t: this.elapsed() });
  }

  private write(record: CaptureRecord): void {
    this.out.write(serializeRecord(record) + '\n');
  }

  /** Ends the underlying stream and resolves once it flushed. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.out.end(() => resolve());
    });
  }
}

/** Serialises a whole in-memory capture (the inverse of parseCapture). */
export function formatCapture(capture: Capture): string {
  return [serializeHeader(capture.header), ...capture.records.map(serializeRecord)].join('\n') + '\n';
}
