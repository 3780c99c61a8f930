/** `tenkey decode [FILE|-]`: one line per frame of a capture or hex dump, garbage and bad frames included. */
import type { Command } from 'commander';
import { FORMAT_OPTION_HELP } from '../capture/format-option.js';
import { exitCodesHelp } from '../exit-codes.js';
import type { DecodeFlags } from '../commands/decode.js';

export function registerDecodeCommand(program: Command): void {
  program
    .command('decode')
    .description('decode a capture (.jsonl), hex dump (jpnevulator / plain hex) or raw dump: one line per frame')
    .argument('[file]', 'capture or hex dump; "-" for stdin', '-')
    .option('--json', 'one JSON object per line instead of text')
    .option('--format <fmt>', FORMAT_OPTION_HELP)
    .option('--h2d <names...>', 'hex dumps: tty names/aliases carrying host → device bytes')
    .option('--d2h <names...>', 'hex dumps: tty names/aliases carrying device → host bytes')
    .option('--direction <dir>', 'hex dumps: direction of lines that name none (h2d|d2h)')
    .addHelpText('after', `
Columns: time (ms since capture start), direction, seq, R for a retransmission, the message,
and the CRC verdict (ok, BAD, or n/a when the bytes never formed a checkable frame).
Lines starting with "!!" are bytes that did not decode, with the reason and their raw hex.

${exitCodesHelp('decode')}`)
    .action(async (file: string, flags: DecodeFlags) => {
      const { runDecode } = await import('../commands/decode.js');
      await runDecode(file, flags);
    });
}
