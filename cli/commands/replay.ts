/** What `tenkey replay` does (cli/verbs/replay.ts declares its options and loads this when it runs). */
import { loadCapture } from '../../protocol/capture/load-capture.js';
import { isReplaySpeed, REPLAY_SPEED_RANGE, replayCapture, type ReplayTiming } from '../../replay/replay-capture.js';
import { formatReplayReport } from '../../replay/replay-report.js';
import { UsageError } from '../usage-error.js';
import { reportCliError } from '../capture/cli-support.js';

export interface ReplayFlags {
  against: string;
  instant?: boolean;
  speed?: string;
}

/** Replays `file` and prints the report; the exit code says whether everything matched (see VERB_EXIT_CODES.replay). */
export async function runReplay(file: string, flags: ReplayFlags): Promise<void> {
  try {
    if (flags.against !== 'host' && flags.against !== 'device') {
      throw new UsageError(`--against must be host or device, not ${JSON.stringify(flags.against)}`);
    }
    if (flags.instant && flags.speed !== undefined) throw new UsageError('--instant and --speed exclude each other');
    let timing: ReplayTiming = { instant: true };
    if (flags.speed !== undefined) {
      const speed = flags.speed.trim() === '' ? Number.NaN : Number(flags.speed);
      if (!isReplaySpeed(speed)) {
        throw new UsageError(`--speed must be a number from ${REPLAY_SPEED_RANGE.min} to ${REPLAY_SPEED_RANGE.max}, not ${flags.speed}`);
      }
      timing = { speed };
    }
    const capture = await loadCapture(file);
    const report = await replayCapture(capture, { against: flags.against, timing });
    process.stdout.write(formatReplayReport(report, file).join('\n') + '\n');
    process.exitCode = report.ok ? 0 : report.unreplayable ? 2 : 1;
  } catch (e) {
    // Anything that stops the replay before its report (an unreadable, corrupt or empty capture) is 2.
    reportCliError('replay', e, 2);
  }
}
