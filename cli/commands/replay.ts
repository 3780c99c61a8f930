import type { Command } from 'commander';
import { loadCapture } from '../../protocol/capture/load-capture.js';
import { replayCapture } from '../capture/replay.js';
import { formatReplayReport } from '../capture/replay-report.js';
import { UsageError } from '../usage-error.js';
import { reportCliError } from '../capture/cli-support.js';
import { exitCodesHelp } from '../exit-codes.js';

interface ReplayFlags {
  against: string;
  instant?: boolean;
  speed?: string;
}

/**
 * `tenkey replay FILE [--against host|device] [--instant | --speed N]`: exit 0 only when the real code
 * reproduced every recorded frame of its side (after the normalisation in CAPTURE-FORMAT.md).
 */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('play one side of a capture against the real code of the other side and report every difference')
    .argument('<file>', 'capture (.jsonl); "-" for stdin')
    .option('--against <side>', '"host" (the host driver answers the recorded device) or "device" (the simulator answers the recorded host)', 'host')
    .option('--instant', 'virtual time: timers and recorded gaps take no real time (default)')
    .option('--speed <n>', 'real time, N times faster than recorded (1 = as recorded)')
    .addHelpText('after', `
${exitCodesHelp('replay')}
Random values (session ids, nonces, ciphertext, KSN counter) are compared as described in
protocol/capture/CAPTURE-FORMAT.md, "Replay".
--instant still waits in real time in two places: up to 250 ms per step for I/O in flight to arrive (about
1 ms when all is well), and up to 2 s for the frames recorded before a step. Past those 2 s the run has
diverged: the replay stops there and reports the differences up to that step.`)
    .action(async (file: string, flags: ReplayFlags) => {
      try {
        if (flags.against !== 'host' && flags.against !== 'device') {
          throw new UsageError(`--against must be host or device, not ${JSON.stringify(flags.against)}`);
        }
        if (flags.instant && flags.speed !== undefined) throw new UsageError('--instant and --speed exclude each other');
        let timing: { instant: true } | { speed: number } = { instant: true };
        if (flags.speed !== undefined) {
          const speed = Number(flags.speed);
          if (!(speed > 0) || !Number.isFinite(speed)) throw new UsageError(`--speed must be a positive number, not ${flags.speed}`);
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
