import { describeMessage, messageToPrintableJson } from '../describe.js';
import type { ProtocolErrorCodeName } from '../errors.js';
import type { CapturedFrame } from './capture-frames.js';
import type { LinkEventRecord } from './capture-format.js';

/**
 * The one-line and JSON views of captured frames that `tenkey decode` prints (and replay diffs reuse).
 * A frame's CRC verdict: "ok" (it verified; later checks may still have refused the frame), "BAD" (it
 * did not match), "n/a" (the bytes never got that far: bad COBS, too short/long, cut off).
 */
export type CrcVerdict = 'ok' | 'BAD' | 'n/a';

const CHECKED_AFTER_CRC: ReadonlySet<ProtocolErrorCodeName> = new Set([
  'UNKNOWN_TYPE', 'BAD_LENGTH', 'BAD_PAYLOAD', 'UNSUPPORTED_VERSION', 'BAD_FLAGS',
]);

export function crcVerdict(frame: CapturedFrame): CrcVerdict {
  if (frame.result.ok) return 'ok';
  if (!frame.complete) return 'n/a';
  if (frame.result.error.code === 'BAD_CRC') return 'BAD';
  return CHECKED_AFTER_CRC.has(frame.result.error.code) ? 'ok' : 'n/a';
}

function time(t: number): string {
  return t.toFixed(3).padStart(10);
}

const RAW_SHOWN = 24;

function rawPreview(raw: Buffer): string {
  const hex = raw.subarray(0, RAW_SHOWN).toString('hex');
  return raw.length > RAW_SHOWN ? `${hex}…` : hex;
}

/** e.g. `     1.500 h2d seq=1    HELLO versions=1..1  crc=ok`. */
export function formatFrameLine(frame: CapturedFrame): string {
  const head = `${time(frame.t)} ${frame.dir}`;
  const verdict = `crc=${crcVerdict(frame)}`;
  if (frame.result.ok) {
    const f = frame.result.frame;
    const seq = `seq=${String(f.seq).padEnd(3)}`;
    return `${head} ${seq} ${f.retransmission ? 'R' : ' '} ${describeMessage(f.message)}  ${verdict}`;
  }
  const { error } = frame.result;
  const seq = typeof error.details['seq'] === 'number' ? `seq=${String(error.details['seq']).padEnd(3)}` : 'seq=-  ';
  const what = frame.complete ? `!! ${error.code}` : '!! CUT_OFF (capture ended mid-frame)';
  const reason = frame.complete ? ` ${error.message}` : '';
  return `${head} ${seq}   ${what} ${frame.raw.length}B${reason} raw=${rawPreview(frame.raw)}  ${verdict}`;
}

export function formatLinkEventLine(event: LinkEventRecord): string {
  return `${time(event.t)} --- ${event.side} ${event.event === 'close' ? 'went away' : 'came back'}`;
}

/** JSON view: one object per frame, byte arrays as hex. */
export function frameToJson(frame: CapturedFrame): Record<string, unknown> {
  const base = { t: frame.t, dir: frame.dir, crc: crcVerdict(frame) };
  if (frame.result.ok) {
    const f = frame.result.frame;
    return {
      ...base,
      ok: true,
      seq: f.seq,
      retransmission: f.retransmission,
      type: f.message.type,
      message: messageToPrintableJson(f.message),
      raw: frame.raw.toString('hex'),
    };
  }
  return {
    ...base,
    ok: false,
    complete: frame.complete,
    error: { code: frame.result.error.code, message: frame.result.error.message, ...frame.result.error.details },
    raw: frame.raw.toString('hex'),
  };
}

export function linkEventToJson(event: LinkEventRecord): Record<string, unknown> {
  return { t: event.t, event: event.event, side: event.side };
}
