import type { Capture } from '../protocol/capture/capture-format.js';
import { replayAgainstDevice } from './replay-device.js';
import { replayAgainstHost } from './replay-host.js';
import type { ReplayReport } from './replay-report.js';
import { InstantTimebase, RealTimebase, type ReplayTimebase } from './replay-timebase.js';

export interface ReplayOptions {
  /** Which real code plays against the recording: the host driver, or the simulator. */
  against: 'host' | 'device';
  /** Virtual time (default) or real time sped up `speed` times. */
  timing?: { instant: true } | { speed: number };
}

/** Plays one side of a capture against the real code of the other side; see replay-host.ts / replay-device.ts. */
export function replayCapture(capture: Capture, options: ReplayOptions): Promise<ReplayReport> {
  const timing = options.timing ?? { instant: true };
  const timebase: ReplayTimebase = 'speed' in timing ? new RealTimebase(timing.speed) : new InstantTimebase();
  return options.against === 'host' ? replayAgainstHost(capture, timebase) : replayAgainstDevice(capture, timebase);
}
