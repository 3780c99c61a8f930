/**
 * `tenkey replay FILE [--against host|device] [--instant | --speed N]`: commander wiring over tenkey/replay
 * (replay/). Exit 0 only when the real code reproduced every recorded frame of its side (after the
 * normalisation in CAPTURE-FORMAT.md).
 */
import type { Command } from 'commander';
import { exitCodesHelp } from '../exit-codes.js';
import { REPLAY_SPEED_RANGE } from '../help-defaults.js';
import type { ReplayFlags } from '../commands/replay.js';

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
      const { runReplay } = await import('../commands/replay.js');
      await runReplay(file, flags);
    });
}
