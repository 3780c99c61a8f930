import type { Capture } from '../protocol/capture/capture-format.js';
import { replayAgainstDevice } from './replay-device.js';
import { replayAgainstHost } from './replay-host.js';
import type { ReplayReport } from './replay-report.js';
import { VirtualTimebase } from './replay-timebase.js';

/**
 * The speeds a paced replay accepts (times the recorded speed). The verdict is the same at every speed (the clock
 * is virtual, only held to the wall clock); the bounds keep the pace meaningful: below `min` a 5-minute session
 * takes 50 minutes, above `max` the pacing waits no longer matter (use `{ instant: true }`).
 */
export const REPLAY_SPEED_RANGE = { min: 0.1, max: 1000 } as const;

/**
 * `{ instant: true }`: virtual time, as fast as the work goes. `{ speed: N }`: the same virtual time held to the wall
 * clock N times faster than recorded (1 = as recorded), for watching a session unfold.
 */
export type ReplayTiming = { instant: true } | { speed: number };

export interface ReplayOptions {
  /** Which real code plays against the recording: the host driver, or the virtual keypad. */
  against: 'host' | 'device';
  /** Default `{ instant: true }`. A speed outside {@link REPLAY_SPEED_RANGE} rejects with a RangeError. */
  timing?: ReplayTiming;
}

/** Whether `speed` is one a real-time replay accepts (see {@link REPLAY_SPEED_RANGE}). */
export function isReplaySpeed(speed: number): boolean {
  return Number.isFinite(speed) && speed >= REPLAY_SPEED_RANGE.min && speed <= REPLAY_SPEED_RANGE.max;
}

/**
 * Plays one side of a capture against the real code of the other side, in this process (the in-memory cable:
 * no socket, no PTY), and resolves with what differed; see replay-host.ts / replay-device.ts.
 */
export async function replayCapture(capture: Capture, options: ReplayOptions): Promise<ReplayReport> {
  const timing = options.timing ?? { instant: true };
  if ('speed' in timing && !isReplaySpeed(timing.speed)) {
    throw new RangeError(`speed must be a number from ${REPLAY_SPEED_RANGE.min} to ${REPLAY_SPEED_RANGE.max}, got ${timing.speed}`);
  }
  const timebase = new VirtualTimebase(0, 'speed' in timing ? timing.speed : undefined);
  return options.against === 'host' ? replayAgainstHost(capture, timebase) : replayAgainstDevice(capture, timebase);
}
