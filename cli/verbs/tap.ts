/**
 * `tenkey tap --device PATH|tcp://HOST:PORT [-o FILE]`: sits between a host and a keypad like interceptty.
 * The first stdout line is the PTY the host should open; then one decoded line per frame (unless --quiet).
 */
import type { Command } from 'commander';
import { exitCodesHelp } from '../exit-codes.js';
import type { TapFlags } from '../commands/tap.js';

export function registerTapCommand(program: Command): void {
  program
    .command('tap')
    .description('record a host ↔ keypad session: expose a PTY for the host, forward to the real device')
    .requiredOption('--device <address>', 'the real keypad: serial port path or tcp://HOST:PORT')
    .option('-o, --output <file>', 'write the capture (JSON Lines) here')
    .option('--link <path>', 'stable symlink to the host-side PTY (kept across device unplug/replug)')
    .option('--baud-rate <n>', 'serial speed for a serial device', '115200')
    .option('-q, --quiet', 'print only the PTY path, no decoded frames')
    .addHelpText('after', `
Example:
  tenkey tap --device /dev/ttyUSB0 -o session.jsonl     # prints /dev/pts/N: point the host there
  tenkey decode session.jsonl
Stop with Ctrl-C (SIGINT) or SIGTERM: the capture is flushed and both ports are closed.
${exitCodesHelp('tap')}`)
    .action(async (flags: TapFlags) => {
      const { runTapCommand } = await import('../commands/tap.js');
      await runTapCommand(flags);
    });
}
