/**
 * Streaming frame decoder: bytes in (from a SerialPort, a net.Socket, a file), `Frame` objects out.
 * Shaped like the serialport parsers (a Transform, options checked with TypeError, leftovers in _flush)
 * and like ws's receiver (one state machine, frames split over any chunking need no special case).
 * PROTOCOL.md §2.4 (receiver rules).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { cobsMaxEncodedLength } from './cobs.js';
import { cobsDecodeToDelimiter, NOT_DELIMITED } from './cobs-crc.js';
import { HEADER_SIZE, CRC_SIZE, MAX_BODY_SIZE } from './constants.js';
import { protocolError, ProtocolError, type ProtocolErrorCodeName } from './errors.js';
import { decodeFrameOrError, FrameScratch, frameFromBody, isDecodeFailure, MIN_BODY_SIZE } from './frame.js';
import type { Frame } from './frame-types.js';

export interface FrameDecoderOptions {
  /** Largest decoded body (header + payload + CRC) accepted; default MAX_BODY_SIZE (1024), at most 65543. */
  maxBodySize?: number;
}

export interface FrameDecoderStats {
  /** Frames decoded and pushed. */
  frames: number;
  /** Bytes thrown away (garbage, bad frames, oversized runs, a truncated tail); delimiters not counted. */
  droppedBytes: number;
  /** Discarded units by error code. An oversized run counts once as TOO_LONG however long it is. */
  dropped: Partial<Record<ProtocolErrorCodeName, number>>;
}

/** Where the decoder is between delimiters. */
const State = {
  /** Collecting the bytes of a frame (possibly none yet). */
  COLLECTING: 0,
  /** Past the size limit: dropping everything until the next 0x00. */
  DISCARDING: 1,
} as const;
type State = (typeof State)[keyof typeof State];

const MAX_WIRE_BODY_SIZE = HEADER_SIZE + 0xffff + CRC_SIZE;

/**
 * Transform from wire bytes to `Frame` objects. Never holds more than the largest encoded frame;
 * every discarded unit is counted in `stats` and reported with a `'drop'` event (error, raw bytes).
 * Empty frames (consecutive 0x00) are ignored: senders may use a 0x00 to flush a receiver.
 */
export class FrameDecoder extends Transform {
  readonly stats: FrameDecoderStats = { frames: 0, droppedBytes: 0, dropped: {} };
  readonly maxBodySize: number;
  /** Largest COBS-encoded frame (without delimiter) that can hold maxBodySize bytes. */
  readonly maxEncodedSize: number;
  private state: State = State.COLLECTING;
  /** A frame split across chunks, copied here (never more than maxEncodedSize bytes). */
  private readonly pending: Buffer;
  private pendingLength = 0;
  /** Decoded body of the frame in hand; parsers copy out what they keep. */
  private readonly scratch: FrameScratch;

  constructor(options: FrameDecoderOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object');
    const maxBodySize = options.maxBodySize ?? MAX_BODY_SIZE;
    if (typeof maxBodySize !== 'number' || !Number.isInteger(maxBodySize)
      || maxBodySize < MIN_BODY_SIZE || maxBodySize > MAX_WIRE_BODY_SIZE) {
      throw new TypeError(`"maxBodySize" must be an integer ${MIN_BODY_SIZE}–${MAX_WIRE_BODY_SIZE}`);
    }
    super({ readableObjectMode: true });
    this.maxBodySize = maxBodySize;
    this.maxEncodedSize = cobsMaxEncodedLength(maxBodySize);
    this.pending = Buffer.allocUnsafe(this.maxEncodedSize);
    this.scratch = new FrameScratch(maxBodySize);
  }

  /** Bytes currently held for an incomplete frame (always ≤ maxEncodedSize). */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // Strings would only reach here from a misconfigured pipe; treat their bytes as wire input.
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    const length = bytes.length;
    let start = 0;
    while (start < length) {
      // Fast path, nearly every frame: nothing held, and the whole frame (valid COBS) is in this chunk.
      // Decoding finds the delimiter; anything else falls through to the general path from the same byte.
      if (this.pendingLength === 0 && this.state === State.COLLECTING) {
        if (bytes[start] === 0) { // an empty frame
          start++;
          continue;
        }
        const delimiter = cobsDecodeToDelimiter(bytes, start, length, this.maxEncodedSize, this.scratch.body, this.scratch);
        if (delimiter !== NOT_DELIMITED) {
          this.deliver(frameFromBody(this.scratch, this.scratch.decodedLength), bytes, start, delimiter);
          start = delimiter + 1;
          continue;
        }
      }
      const delimiter = bytes.indexOf(0, start);
      if (delimiter === -1) {
        this.hold(bytes, start, bytes.length);
        break;
      }
      this.endFrame(bytes, start, delimiter);
      start = delimiter + 1;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.state === State.COLLECTING && this.pendingLength > 0) {
      const raw = Buffer.from(this.pending.subarray(0, this.pendingLength));
      this.pendingLength = 0;
      this.discard(protocolError('TOO_SHORT', `stream ended inside a frame (${raw.length} bytes, no delimiter)`), raw);
    }
    this.state = State.COLLECTING;
    this.pendingLength = 0;
    callback();
  }

  /** Bytes with no delimiter after them yet. */
  private hold(bytes: Buffer, start: number, end: number): void {
    const n = end - start;
    if (this.state === State.DISCARDING) {
      this.stats.droppedBytes += n;
      return;
    }
    if (this.pendingLength + n > this.maxEncodedSize) {
      const raw = Buffer.allocUnsafe(this.maxEncodedSize);
      this.pending.copy(raw, 0, 0, this.pendingLength);
      bytes.copy(raw, this.pendingLength, start, start + this.maxEncodedSize - this.pendingLength);
      this.stats.droppedBytes += this.pendingLength + n - raw.length; // drop() adds raw.length
      this.pendingLength = 0;
      this.state = State.DISCARDING;
      this.discard(protocolError('TOO_LONG', `no delimiter within ${this.maxEncodedSize} bytes; discarding to the next 0x00`), raw);
      return;
    }
    bytes.copy(this.pending, this.pendingLength, start, end);
    this.pendingLength += n;
  }

  /** A delimiter at bytes[end]: the frame is pending + bytes[start, end). */
  private endFrame(bytes: Buffer, start: number, end: number): void {
    if (this.state === State.DISCARDING) {
      this.stats.droppedBytes += end - start;
      this.state = State.COLLECTING;
      return;
    }
    if (this.pendingLength === 0) {
      if (end > start) this.decode(bytes, start, end);
      return;
    }
    const total = this.pendingLength + end - start;
    if (total > this.maxEncodedSize) {
      const raw = Buffer.allocUnsafe(this.maxEncodedSize);
      this.pending.copy(raw, 0, 0, this.pendingLength);
      bytes.copy(raw, this.pendingLength, start, start + this.maxEncodedSize - this.pendingLength);
      this.stats.droppedBytes += total - raw.length;
      this.pendingLength = 0;
      this.discard(protocolError('TOO_LONG', `frame of ${total} encoded bytes exceeds ${this.maxEncodedSize}`), raw);
      return;
    }
    bytes.copy(this.pending, this.pendingLength, start, end);
    this.pendingLength = 0;
    this.decode(this.pending, 0, total);
  }

  private decode(src: Buffer, start: number, end: number): void {
    this.deliver(decodeFrameOrError(src, start, end, this.scratch), src, start, end);
  }

  /** Pushes the frame decoded from src[start, end), or drops those bytes. */
  private deliver(result: Frame | ProtocolError, src: Buffer, start: number, end: number): void {
    if (!isDecodeFailure(result)) {
      this.stats.frames++;
      this.push(result);
    } else {
      // Keep 'raw' bounded like everything else held (only a TOO_LONG frame can exceed it).
      const rawEnd = Math.min(end, start + this.maxEncodedSize);
      this.stats.droppedBytes += end - rawEnd;
      this.discard(result, Buffer.from(src.subarray(start, rawEnd)));
    }
  }

  private discard(error: ProtocolError, raw: Buffer): void {
    this.stats.droppedBytes += raw.length;
    this.stats.dropped[error.code] = (this.stats.dropped[error.code] ?? 0) + 1;
    this.emit('drop', error, raw);
  }
}
