/**
 * When each key of a recorded session was pressed, read back from the device's KEY frames (what the person typed is
 * not on the wire: a KEY carries the key class and digit count, never the digit). A KEY frame is new when its seq
 * differs from the previous KEY's (retransmissions repeat it). A device may merge DIGIT reports that outran the
 * line into one (PROTOCOL.md §5.11): such a frame stands for as many DIGIT keys as its count rose since the KEY
 * frame before it. Every other frame stands for one key.
 */
import type { Capture } from '../protocol/capture/capture-format.js';
import type { CapturedFrame } from '../protocol/capture/capture-frames.js';
import type { KeyClassName, KeyMessage } from '../protocol/messages.js';
import { isPlainDigit } from '../device-sim/firmware/key-progress.js';

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

export interface RecordedKeyPresses {
  presses: RecordedKeyPress[];
  /** Some frame stood for several keys: the recording keypad merged reports (replay it with merging on). */
  merged: boolean;
}

/** A recorded KEY frame beside its message (not spread into one object: V8 copies a spread plus a new field slowly). */
type KeyFrame = { frame: CapturedFrame; message: KeyMessage };

/** The new (not repeated) KEY frames among the recorded device frames, in order. */
function newKeyFrames(recordedD2h: readonly CapturedFrame[]): KeyFrame[] {
  const frames: KeyFrame[] = [];
  let lastSeq: number | undefined;
  for (const f of recordedD2h) {
    if (!f.result.ok || f.result.frame.message.type !== 'KEY' || f.result.frame.seq === lastSeq) continue;
    lastSeq = f.result.frame.seq;
    frames.push({ frame: f, message: f.result.frame.message });
  }
  return frames;
}

/** Digits the field held before `message`'s keys, as the frame before it says (0 after a notice that clears it, §9.4). */
function digitsBefore(message: KeyMessage, previous: KeyMessage | undefined): number {
  if (previous === undefined || previous.sessionId !== message.sessionId || previous.field !== message.field) return 0;
  return previous.notice === 'INVALID_PAN' || previous.notice === 'INVALID_EXPIRY' ? 0 : previous.digits;
}

/**
 * Index of the first record after capture time t, for many t: a binary search over the records' running maximum
 * time (the first record later than t is the first where that maximum passes t, in whatever order the times are),
 * instead of a scan of the records for every press.
 */
function firstRecordAfterFinder(capture: Capture): (t: number) => number {
  const runningMax: number[] = [];
  let max = Number.NEGATIVE_INFINITY;
  for (const record of capture.records) {
    if (record.t > max) max = record.t; // (a NaN time is never "after" anything, as in a scan)
    runningMax.push(max);
  }
  return (t) => {
    let lo = 0;
    let hi = runningMax.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (runningMax[mid]! > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/**
 * The presses of a recorded session, in order. `keyClasses`: the class of each key the scenario names, in order. A
 * merged frame takes as many keys as its count rose, when that many DIGIT keys come next in the scenario, all
 * pressed (scenario.keyTimes) by the time the frame went out; else it takes one, as every other frame does, and
 * the replay reports what does not match. (A frame the line destroyed leaves its key to the next frame's rise.)
 */
export function recordedKeyPresses(capture: Capture, recordedD2h: readonly CapturedFrame[], keyClasses: readonly KeyClassName[]): RecordedKeyPresses {
  const keyTimes = capture.header.scenario?.keyTimes;
  const frames = newKeyFrames(recordedD2h);
  const firstRecordAfter = firstRecordAfterFinder(capture);
  const presses: RecordedKeyPress[] = [];
  let merged = false;
  frames.forEach(({ frame, message }, k) => {
    const rise = isPlainDigit(message) ? message.digits - digitsBefore(message, frames[k - 1]?.message) : 1;
    const upcoming = keyClasses.slice(presses.length, presses.length + rise);
    // A merge stands for keys pressed before its frame went out: a rise the recorded key times cannot explain (a
    // damaged or edited capture) is one key, and the replay reports the difference.
    const lastAt = keyTimes === undefined ? frame.tFirstByte : keyTimes[presses.length + rise - 1] ?? Number.POSITIVE_INFINITY;
    const fits = upcoming.length === rise && upcoming.every((c) => c === 'DIGIT') && lastAt <= frame.tFirstByte;
    const keys = rise > 1 && fits ? rise : 1;
    if (keys > 1) merged = true;
    for (let i = 0; i < keys; i++) {
      const t = keyTimes?.[presses.length] ?? frame.tFirstByte;
      // The press comes after what was recorded up to its moment (the recorder pressed keys after letting due
      // timers and I/O run), but before the frame that reported it and anything recorded later.
      const at = Math.min(frame.firstRecord, firstRecordAfter(t)) - 0.5;
      presses.push({ t, at, keyClass: message.keyClass, frameTime: frame.t });
    }
  });
  return { presses, merged };
}
