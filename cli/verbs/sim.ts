/**
 * `tenkey sim`: a virtual keypad on a PTY or TCP. The first line of stdout is the address it serves on (so scripts
 * can read it); it serves until SIGINT/SIGTERM (exit 0). On a TTY without --keys/--script the PC keyboard is the
 * keypad, with a small live display redrawn on stderr.
 */
import type { Command } from 'commander';
import { cardServiceIds } from '../../protocol/card-services.js';
import { DEFAULT_TCP_PORT } from '../../protocol/constants.js';
import { exitCodesHelp, NONCONFORMING_EXIT_CODE } from '../exit-codes.js';
import type { SimCommandOptions } from '../commands/sim.js';

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('run a virtual keypad (TEST keys only); prints the address to open as the first line of stdout')
    .option('--listen <address>', `pty (default) or tcp://HOST:PORT (tcp:// alone = 127.0.0.1:${DEFAULT_TCP_PORT}; port 0 = any free port)`)
    .option('--link <path>', 'PTY only: stable symlink to the device, kept across unplug/replug')
    .option('--keys <script>', 'key script typed at each START_ENTRY, e.g. "4111111111111111<enter>1230<enter>"')
    .option('--script <file>', 'read the key script from a file (# starts a comment)')
    .option('--fault <spec>', 'faults, e.g. "drop=0.01,seed=42", "silent", "busy", "exhaust-key", "vanish-after=5s"')
    // The keypad's services are protocol/card-services.ts's table (device-sim/services.ts KEYPAD_SERVICES is it).
    .option('--service <name>', `card service (利用サービス): ${cardServiceIds()}`)
    .option('--state <file>', "the keypad's non-volatile memory: its DUKPT counter, saved before each RESULT leaves, so no run reuses a KSN (default $XDG_STATE_HOME/tenkey/keypads/SIM-00000001.json; without XDG_STATE_HOME, ~/.local/state/tenkey/…)")
    .option('--key-counter <n>', 'DUKPT counter of the first entry when the state file is new (default 1); with a saved counter it may only move it forward')
    .option('--strict', `report every host behaviour PROTOCOL.md forbids (bad seq, missing ACK, START_ENTRY while busy, no keepalive, refused frames) on stderr; exit ${NONCONFORMING_EXIT_CODE} at the end if any`)
    .option('--no-merge-key-reports', 'send a KEY for every key even when keys outrun the line (a device without PROTOCOL.md §5.11 merging)')
    .addHelpText('after', `\n${exitCodesHelp('sim')}`)
    .action(async (options: SimCommandOptions) => {
      const { runSim } = await import('../commands/sim.js');
      process.exitCode = await runSim(options);
    });
}
