/**
 * `tenkey doctor`: checks the settings, opens the keypad, measures a PING round trip and prints the
 * device's INFO, then a verdict in the store's words (one of the four messages, or OK).
 */
import type { Command } from 'commander';
import { exitCodesHelp } from '../exit-codes.js';
import { DEFAULT_DEVICE_ADDRESS } from '../help-defaults.js';
import type { DoctorCommandOptions } from '../commands/doctor.js';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the keypad settings and connection: HELLO, PING round trip, device info, verdict')
    .option('-d, --device <address>', 'serial path (/dev/ttyUSB0, a PTY) or tcp://HOST:PORT', DEFAULT_DEVICE_ADDRESS)
    .option('-s, --service <name>', '利用サービス: card service id to check against the keypad')
    .option('--no-enabled', 'テンキーパッド入力 is OFF (shows what the store would see)')
    .option('--json', 'print the report as one JSON object on stdout', false)
    .option('-v, --verbose', 'driver log lines on stderr', false)
    .addHelpText('after', `\n${exitCodesHelp('doctor')}`)
    .action(async (options: DoctorCommandOptions) => {
      const { printDoctorReport } = await import('../commands/doctor.js');
      process.exitCode = await printDoctorReport(options);
    });
}
