/**
 * When each key of a recorded session was pressed, read back from the device's KEY frames (what the person typed is
 * not on the wire: a KEY carries the key class and digit count, never the digit). A KEY frame is new when its seq
 * differs from the previous KEY's (retransmissions repeat it). A device may merge DIGIT reports that outran the
 * line into one (PROTOCOL.md §5.11): such a frame carries as many presses as its digit count rose since the previous
 * KEY frame of that session and field. Every other frame carries one press.
 */
import type { Capture } from '../../protocol/capture/capture-format.js';
import type { CapturedFrame } from '../../protocol/capture/capture-frames.js';
import type { KeyMessage } from '../../protocol/messages.js';

export interface RecordedKeyPress {
  /** Capture time of the press: scenario.keyTimes when recorded, else the time of the frame that reported it. */
  t: number;
  /** Where the press falls among the capture's records (a half index: between two records). */
  at: number;
  /** Class of the frame that reported it. */
  keyClass: string;
  /** Time of that frame. */
  frameTime: number;
}

type KeyFrame = CapturedFrame & { message: KeyMessage };

/** The new (not repeated) KEY frames among the recorded device frames, in order. */
function newKeyFrames(recordedD2h: readonly CapturedFrame[]): KeyFrame[] {
  const frames: KeyFrame[] = [];
  let lastSeq: number | undefined;
  for (const f of recordedD2h) {
    if (!f.result.ok || f.result.frame.message.type !== 'KEY' || f.result.frame.seq === lastSeq) continue;
    lastSeq = f.result.frame.seq;
    frames.push({ ...f, message: f.result.frame.message });
  }
  return frames;
}

/** Presses each frame reports: more than one only for a merged DIGIT report (§5.11). */
function pressesPerFrame(frames: readonly KeyFrame[]): number[] {
  return frames.map(({ message }, k) => {
    if (message.keyClass !== 'DIGIT' || message.notice !== 'NONE') return 1;
    const previous = frames[k - 1]?.message;
    const before = previous !== undefined && previous.sessionId === message.sessionId && previous.field === message.field ? previous.digits : 0;
    return Math.max(1, message.digits - before);
  });
}

/** Index of the first record after capture time t. */
function firstRecordAfter(capture: Capture, t: number): number {
  const i = capture.records.findIndex((r) => r.t > t);
  return i < 0 ? capture.records.length : i;
}

/**
 * The presses of a recorded session, in order. `keyCount`: how many keys the scenario names. When the merged counts
 * do not add up to it (or to the recorded keyTimes) — a key that reported nothing, a capture from elsewhere — each
 * KEY frame counts as one press, as for a device that never merges.
 */
export function recordedKeyPresses(capture: Capture, recordedD2h: readonly CapturedFrame[], keyCount: number): RecordedKeyPress[] {
  const keyTimes = capture.header.scenario?.keyTimes;
  const frames = newKeyFrames(recordedD2h);
  const merged = pressesPerFrame(frames);
  const total = merged.reduce((sum, n) => sum + n, 0);
  const perFrame = total === (keyTimes?.length ?? keyCount) ? merged : frames.map(() => 1);
  const presses: RecordedKeyPress[] = [];
  frames.forEach((frame, k) => {
    for (let i = 0; i < perFrame[k]!; i++) {
      const t = keyTimes?.[presses.length] ?? frame.tFirstByte;
      // The press comes after what was recorded up to its moment (the recorder pressed keys after letting due
      // timers and I/O run), but before the frame that reported it and anything recorded later.
      const at = Math.min(frame.firstRecord, firstRecordAfter(capture, t)) - 0.5;
      presses.push({ t, at, keyClass: frame.message.keyClass, frameTime: frame.t });
    }
  });
  return presses;
}
