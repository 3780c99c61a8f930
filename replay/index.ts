/**
 * tenkey/replay: a capture's one side played against the real code of the other, in this process — the host
 * driver or the virtual keypad, joined to the replayer by the in-memory cable (no socket, no PTY), on virtual
 * time (`{ instant: true }`, the default) or on real time sped up (`{ speed }`). `tenkey replay` is this, wired
 * to the command line.
 */
export { replayCapture, isReplaySpeed, REPLAY_SPEED_RANGE, type ReplayOptions, type ReplayTiming } from './replay-capture.js';
export { formatReplayReport, type ReplayReport } from './replay-report.js';
// What a report's diffs hold (frame-compare.ts, capture-frames.ts), and what loads a capture to replay.
export type { FrameDiff } from '../protocol/capture/frame-compare.js';
export type { CapturedFrame } from '../protocol/capture/capture-frames.js';
export { loadCapture, type LoadCaptureOptions } from '../protocol/capture/load-capture.js';
export { parseCapture } from '../protocol/capture/capture-reader.js';
export type { Capture } from '../protocol/capture/capture-format.js';
