/**
 * The tenkey capture format, version 1: JSON Lines (one JSON object per line, UTF-8, `\n` ends each line).
 *
 * Line 1 is the header:
 *   {"format":"tenkey-capture","version":1,"protocolVersion":1,
 *    "captured":{"tool":"tenkey tap 0.1.0","device":"/dev/ttyUSB0","startedAt":"2026-11-26T10:00:00.000Z"},
 *    "note":"free text", "scenario":{...}}
 *   - `format` and `version` identify the file; a reader refuses any other version (UNSUPPORTED_VERSION).
 *   - `protocolVersion`: the tenkey wire protocol version the bytes are expected to speak.
 *   - `captured`: who recorded it (`tool`), from which device address (`device`, optional), and when
 *     (`startedAt`, ISO 8601; a "Z" or offset when known). Other string keys may be added by tools.
 *   - `note` (optional): free text for people. Never card data.
 *   - `scenario` (optional): reproduction hints that are not on the wire (see CaptureScenario); `tenkey replay`
 *     uses them. Never card data: cards are named by test-card reference (e.g. "visa"), never by number.
 *   Readers ignore header keys they do not know.
 *
 * Every following line is one record, in the order things happened:
 *   {"dir":"h2d","t":12.345,"hex":"0b0101..."}  — a chunk of raw bytes exactly as it arrived: `dir` is
 *     "h2d" (host → device) or "d2h" (device → host); `t` is milliseconds since the capture started
 *     (monotonic, float, stored to the microsecond, never smaller than the previous record's); `hex` is the
 *     bytes as lowercase hex (at least one byte). Raw bytes, not frames: garbage and split frames stay visible.
 *   {"event":"close","side":"device","t":800.5}  — a side of the link went away ("close") or came back
 *     ("open"); `side` is "host" or "device". Lets a replay unplug the device at the recorded moment.
 *
 * Blank lines are ignored. Errors carry the 1-based line number (see CaptureError).
 */

/** Format identifier in the header. */
export const CAPTURE_FORMAT = 'tenkey-capture';
/** The only capture format version this code reads and writes. */
export const CAPTURE_FORMAT_VERSION = 1;

export type Direction = 'h2d' | 'd2h';
export type LinkSide = 'host' | 'device';

/** Where and how a capture was made. */
export interface CaptureOrigin {
  /** Recording tool and version, e.g. "tenkey tap 0.1.0" or "jpnevulator (imported)". */
  tool: string;
  /** Device address the tool was attached to. */
  device?: string;
  /** ISO 8601 start time. */
  startedAt: string;
}

/**
 * Off-the-wire facts a replay needs to reproduce a session. Everything optional; nothing secret.
 */
export interface CaptureScenario {
  /** Short name, e.g. "happy-visa". */
  name?: string;
  /**
   * What the person typed, as a key script over test-card references, one item per key or group:
   * "pan:visa" (the digits of that test card), "exp:valid" / "exp:expired" (an expiry relative to
   * `deviceDate`), a single digit "0"–"9", or a key name ("enter", "backspace", "clear", "cancel").
   * Replay presses one key per recorded KEY frame, at that frame's time.
   */
  keys?: string[];
  /**
   * When each expanded key was pressed (ms since capture start). Optional: without it a replay presses each key
   * when its KEY frame was recorded, which is the same moment unless the link was busy (retransmissions queue
   * KEY frames behind the press). Timing only: nothing about which digit.
   */
  keyTimes?: number[];
  /** The device's calendar date during the session (expiry checks), YYYY-MM-DD. */
  deviceDate?: string;
  /** Card service the host was configured with (host-driver `service`), when not the default. */
  service?: string;
  /** Card service the device was configured with (simulator `service`), when not the default. */
  deviceService?: string;
  /** DUKPT transaction counter the device started from (simulator `keyCounter`). */
  keyCounter?: number;
  /**
   * Seed of the simulator's card-block IV and fill (simulator `cardBlockSeed`), when it recorded with one: a
   * replay with the same seed sends the same RESULT bytes, so seeded byte faults damage them the same way.
   */
  cardBlockSeed?: number;
  /** Fault injection applied on the link while recording (simulator `faults` spec string). */
  faults?: string;
  /** What the host application got, for a replay against the host to check. */
  outcome?: CaptureOutcome;
}

/** The application-level end of a host session: a card, an error code, or a cancellation. */
export type CaptureOutcome =
  | { kind: 'card'; brand: string; last: string }
  | { kind: 'error'; code: string }
  | { kind: 'cancelled' };

export interface CaptureHeader {
  format: typeof CAPTURE_FORMAT;
  version: typeof CAPTURE_FORMAT_VERSION;
  protocolVersion: number;
  captured: CaptureOrigin;
  note?: string;
  scenario?: CaptureScenario;
}

/** Raw bytes as they arrived on one direction of the link. */
export interface ChunkRecord {
  dir: Direction;
  /** Milliseconds since the capture started. */
  t: number;
  bytes: Uint8Array;
}

/** One side of the link disappeared or reappeared. */
export interface LinkEventRecord {
  event: 'open' | 'close';
  side: LinkSide;
  t: number;
}

export type CaptureRecord = ChunkRecord | LinkEventRecord;

export interface Capture {
  header: CaptureHeader;
  records: CaptureRecord[];
}

export function isChunkRecord(record: CaptureRecord): record is ChunkRecord {
  return 'dir' in record;
}

/** Times are stored to the microsecond: enough for serial timing, short enough to read. */
export function roundCaptureTime(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
