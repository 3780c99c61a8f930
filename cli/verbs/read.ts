/**
 * `tenkey read`: reads one card through the host driver. Progress (●●●●, never digits) on stderr,
 * a masked summary (or exactly one JSON object with --json) on stdout.
 */
import type { Command } from 'commander';
import { cardServiceIds } from '../../protocol/card-services.js';
import { ENTRY_SESSION_CAP_S, MAX_REVEAL_DIGITS } from '../../protocol/constants.js';
import { exitCodesHelp } from '../exit-codes.js';
import { DEFAULT_DEVICE_ADDRESS } from '../help-defaults.js';
import { integerIn } from '../option-parsers.js';
import type { ReadCommandOptions } from '../commands/read.js';

export function registerReadCommand(program: Command): void {
  program
    .command('read')
    .description('read one card from the keypad: prints brand, last digits, KSN and the encrypted block (never the number)')
    .option('-d, --device <address>', 'serial path (/dev/ttyUSB0, a PTY) or tcp://HOST:PORT', DEFAULT_DEVICE_ADDRESS)
    .option('-t, --timeout <seconds>', `keypad inactivity timeout, 1–${ENTRY_SESSION_CAP_S}`, integerIn('--timeout', 1, ENTRY_SESSION_CAP_S), 60)
    .option('-r, --reveal <n>', `last PAN digits to reveal, 0–${MAX_REVEAL_DIGITS}`, integerIn('--reveal', 0, MAX_REVEAL_DIGITS), 3)
    .option('-s, --service <name>', `利用サービス: card service id (decides accepted brands): ${cardServiceIds()}`)
    .option('--no-expiry', 'do not ask for the expiry date')
    .option('--json', 'print exactly one JSON object on stdout: the card, {"error":…} or {"cancelled":…}', false)
    .option('-v, --verbose', 'driver log lines on stderr', false)
    .addHelpText('after', `\n${exitCodesHelp('read')}`)
    .action(async (options: ReadCommandOptions) => {
      const { runRead } = await import('../commands/read.js');
      process.exitCode = await runRead(options);
    });
}
