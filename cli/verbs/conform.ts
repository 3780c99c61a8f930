/**
 * `tenkey conform --device ADDR`: runs PROTOCOL.md's device requirements against a keypad and prints pass/fail per
 * clause with its section, then a summary line. Keys come from the operator (prompts on stderr) or, for a keypad
 * that types a key script at each START_ENTRY by itself (`tenkey sim --keys SCRIPT`), from that same script.
 */
import type { Command } from 'commander';
import { exitCodesHelp } from '../exit-codes.js';
import type { ConformCommandOptions } from '../commands/conform.js';

export function registerConformCommand(program: Command): void {
  program
    .command('conform')
    .description("test a keypad against PROTOCOL.md's device requirements: pass/fail per clause, named by section")
    .requiredOption('-d, --device <address>', 'the keypad under test: serial path (/dev/ttyUSB0, a PTY) or tcp://HOST:PORT')
    .option('--keys <script>', 'the keypad types this key script at each START_ENTRY by itself (tenkey sim --keys, same script); it must start with <wait:2500> and enter one valid card with expiry. Without it the operator is asked on stderr what to type')
    .option('--json', 'print the report as one JSON object on stdout', false)
    .addHelpText('after', `\n${exitCodesHelp('conform')}`)
    .action(async (options: ConformCommandOptions) => {
      const { runConform } = await import('../commands/conform.js');
      process.exitCode = await runConform(options);
    });
}
