import { decodeFrame } from '../frame.js';
import { FRAME_DELIMITER, MAX_ENCODED_SIZE } from '../constants.js';
import type { DecodeFrameResult } from '../frame-types.js';
import type { Capture, CaptureRecord, Direction, LinkEventRecord } from './capture-format.js';

/** One delimiter-terminated piece of one direction's byte stream, decoded (or not) as a frame. */
export interface CapturedFrame {
  dir: Direction;
  /** Time of the chunk that completed this piece (ms since capture start). */
  t: number;
  /** Time of the chunk its first byte arrived in. */
  tFirstByte: number;
  /** Index (in the capture's records) of the chunk its first byte arrived in, and of the one that completed it. */
  firstRecord: number;
  lastRecord: number;
  /** Wire bytes including the trailing delimiter (absent when the stream ended mid-frame). */
  raw: Buffer;
  /** false when the capture ended before this piece's delimiter arrived. */
  complete: boolean;
  result: DecodeFrameResult;
}

/**
 * Splits one direction's stream at 0x00 delimiters, keeping state across chunks the way a FrameDecoder
 * does, but keeping every piece (good or bad) with its time so decode and replay can show each one.
 */
export class DirectionFrameSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private pendingSince = 0;
  private pendingFirstRecord = 0;

  constructor(readonly dir: Direction) {}

  /** `record` is the chunk's index in the capture (for ordering); live users may leave it out. */
  push(bytes: Uint8Array, t: number, record = 0): CapturedFrame[] {
    const out: CapturedFrame[] = [];
    let start = 0;
    for (let i = bytes.indexOf(FRAME_DELIMITER); i !== -1; i = bytes.indexOf(FRAME_DELIMITER, start)) {
      let raw: Buffer;
      if (this.pendingLength === 0) {
        // The whole piece is in this chunk (nearly every frame): one copy, nothing held.
        raw = Buffer.from(bytes.subarray(start, i + 1));
        this.pendingSince = t;
        this.pendingFirstRecord = record;
      } else {
        this.take(bytes.subarray(start, i + 1), t, record);
        raw = Buffer.concat(this.pending, this.pendingLength);
        this.pending = [];
        this.pendingLength = 0;
      }
      start = i + 1;
      // A lone delimiter is line idle/resync filler, not a frame.
      if (raw.length > 1) out.push(this.piece(raw, t, true, record));
    }
    if (start < bytes.length) this.take(bytes.subarray(start), t, record);
    // Past the largest legal frame with no delimiter: give it up as garbage, as a FrameDecoder would.
    if (this.pendingLength > MAX_ENCODED_SIZE + 1) {
      out.push(this.piece(Buffer.concat(this.pending, this.pendingLength), t, true, record));
      this.pending = [];
      this.pendingLength = 0;
    }
    return out;
  }

  /** What is left when the stream ends: an unterminated piece, if any. */
  flush(t: number, record = 0): CapturedFrame[] {
    if (this.pendingLength === 0) return [];
    const raw = Buffer.concat(this.pending, this.pendingLength);
    this.pending = [];
    this.pendingLength = 0;
    return [this.piece(raw, t, false, record)];
  }

  private take(bytes: Uint8Array, t: number, record: number): void {
    if (bytes.length === 0) return;
    if (this.pendingLength === 0) {
      this.pendingSince = t;
      this.pendingFirstRecord = record;
    }
    this.pending.push(Buffer.from(bytes));
    this.pendingLength += bytes.length;
  }

  private piece(raw: Buffer, t: number, complete: boolean, record: number): CapturedFrame {
    return {
      dir: this.dir, t, tFirstByte: this.pendingSince, firstRecord: this.pendingFirstRecord, lastRecord: record,
      raw, complete, result: decodeFrame(raw),
    };
  }
}

/** A capture as decode shows it: frames (both directions, in the order their last byte arrived) and link events. */
export type TimelineItem = CapturedFrame | LinkEventRecord;

export function isCapturedFrame(item: TimelineItem): item is CapturedFrame {
  return 'raw' in item;
}

export function timelineOfRecords(records: Iterable<CaptureRecord>): TimelineItem[] {
  const splitters = { h2d: new DirectionFrameSplitter('h2d'), d2h: new DirectionFrameSplitter('d2h') };
  const out: TimelineItem[] = [];
  let lastT = 0;
  let index = 0;
  for (const record of records) {
    lastT = record.t;
    if (!('dir' in record)) {
      // A side went away: whatever half-frame was in flight is gone with the connection.
      if (record.event === 'close') out.push(...splitters.h2d.flush(record.t, index), ...splitters.d2h.flush(record.t, index));
      out.push(record);
    } else {
      out.push(...splitters[record.dir].push(record.bytes, record.t, index));
    }
    index++;
  }
  out.push(...splitters.h2d.flush(lastT, index), ...splitters.d2h.flush(lastT, index));
  return out;
}

/** Every frame-sized piece of a capture in the order its last byte arrived, both directions interleaved. */
export function framesOfRecords(records: Iterable<CaptureRecord>): CapturedFrame[] {
  return timelineOfRecords(records).filter(isCapturedFrame);
}

export function framesOfCapture(capture: Capture): CapturedFrame[] {
  return framesOfRecords(capture.records);
}
