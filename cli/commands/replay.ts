import type { Command } from 'commander';
import { loadCapture } from '../../protocol/capture/load-capture.js';
import { isReplaySpeed, REPLAY_SPEED_RANGE, replayCapture, type ReplayTiming } from '../../replay/replay-capture.js';
import { formatReplayReport } from '../../replay/replay-report.js';
import { UsageError } from '../usage-error.js';
import { reportCliError } from '../capture/cli-support.js';
import { exitCodesHelp } from '../exit-codes.js';

interface ReplayFlags {
  against: string;
  instant?: boolean;
  speed?: string;
}

/**
 * `tenkey replay FILE [--against host|device] [--instant | --speed N]`: commander wiring over tenkey/replay
 * (replay/). Exit 0 only when the real code reproduced every recorded frame of its side (after the
 * normalisation in CAPTURE-FORMAT.md).
 */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('play one side of a capture against the real code of the other side and report every difference')
    .argument('<file>', 'capture (.jsonl); "-" for stdin')
    .option('--against <side>', '"host" (the host driver answers the recorded device) or "device" (the simulator answers the recorded host)', 'host')
    .option('--instant', 'virtual time: timers and recorded gaps take no real time (default)')
    .option('--speed <n>', `the same virtual time held to the wall clock, N times faster than recorded (1 = as recorded; ${REPLAY_SPEED_RANGE.min} to ${REPLAY_SPEED_RANGE.max})`)
    .addHelpText('after', `
${exitCodesHelp('replay')}
Random values (session ids, nonces, ciphertext, KSN counter) are compared as described in
protocol/capture/CAPTURE-FORMAT.md, "Replay".
Both sides run in this process, joined by an in-memory cable (no socket, no PTY). Before each step the replayer
lets the code under test finish what it was doing; if it has not sent every frame recorded before that step by
then, the run has diverged: the replay stops there and reports the differences up to that step. --speed only
waits for the wall clock between steps and timers: its verdict is the one --instant gives.`)
    .action(async (file: string, flags: ReplayFlags) => {
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
    });
}
