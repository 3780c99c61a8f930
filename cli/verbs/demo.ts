/**
 * `tenkey demo` (what `npm start` runs): the whole chain on one machine — a virtual keypad on a real PTY,
 * the host driver reading one card from it with live masked progress, then the mock card service's 与信
 * on the ciphertext. Interactive on a TTY (the PC keyboard is the keypad); scripted with a TEST card otherwise.
 */
import type { Command } from 'commander';
import { DEFAULT_INACTIVITY_TIMEOUT_S, ENTRY_SESSION_CAP_S } from '../../protocol/constants.js';
import { exitCodesHelp } from '../exit-codes.js';
import { integerIn } from '../option-parsers.js';
import type { DemoOptions } from '../commands/demo.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a virtual keypad on a PTY and read one card from it with the host driver (what `npm start` runs)')
    .option('--keys <script>', 'key script typed on the virtual keypad (default: a TEST Visa card)')
    .option('--no-interactive', 'never use the keyboard as the keypad, even on a TTY')
    .option('--timeout <seconds>', `keypad inactivity timeout, 1–${ENTRY_SESSION_CAP_S}`, integerIn('--timeout', 1, ENTRY_SESSION_CAP_S), DEFAULT_INACTIVITY_TIMEOUT_S)
    .addHelpText('after', `\n${exitCodesHelp('demo')} A cancelled entry exits 0 here: the demo ran as it should.`)
    .action(async (options: DemoOptions) => {
      const { runDemo } = await import('../commands/demo.js');
      process.exitCode = await runDemo(options);
    });
}
