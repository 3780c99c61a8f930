/** `tenkey capture export|import|info`: move captures between formats and summarise them. */
import type { Command } from 'commander';
import { FORMAT_OPTION_HELP } from '../capture/format-option.js';
import { exitCodesHelp } from '../exit-codes.js';
import type { ExportFlags, ImportFlags, InfoFlags } from '../commands/capture.js';

export function registerCaptureCommand(program: Command): void {
  const capture = program.command('capture').description('convert and inspect captures (export to pcapng, import hex dumps)');

  capture
    .command('export')
    .description('write a capture as pcapng for Wireshark/tshark (LINKTYPE_USER0 = 147)')
    .argument('<file>', 'capture (.jsonl) or hex dump; "-" for stdin')
    .requiredOption('--pcapng <out>', 'pcapng file to write')
    .option('--per <unit>', 'one packet per "frame" (default) or per raw "chunk"', 'frame')
    .option('--h2d <names...>', 'hex dumps: tty names/aliases carrying host → device bytes')
    .option('--d2h <names...>', 'hex dumps: tty names/aliases carrying device → host bytes')
    .option('--direction <dir>', 'hex dumps: direction of lines that name none (h2d|d2h)')
    .option('--format <fmt>', FORMAT_OPTION_HELP)
    .addHelpText('after', `
Direction is seen from the host: device → host packets are "inbound", host → device "outbound".
In Wireshark: Preferences → Protocols → DLT_USER → add "User 0 (DLT=147)" with your dissector as payload
protocol (see protocol/capture/CAPTURE-FORMAT.md for a Lua dissector sketch).
${exitCodesHelp('capture export')}`)
    .action(async (file: string, flags: ExportFlags) => {
      const { runCaptureExport } = await import('../commands/capture.js');
      await runCaptureExport(file, flags);
    });

  capture
    .command('import')
    .description('turn a jpnevulator dump or plain hex into a tenkey capture (.jsonl)')
    .argument('<file>', 'hex dump; "-" for stdin')
    .option('-o, --output <out>', 'capture file to write (default stdout)')
    .option('--h2d <names...>', 'tty names/aliases carrying host → device bytes')
    .option('--d2h <names...>', 'tty names/aliases carrying device → host bytes')
    .option('--direction <dir>', 'direction of lines that name none (h2d|d2h)')
    .option('--format <fmt>', FORMAT_OPTION_HELP)
    .option('--note <text>', 'note for the capture header')
    .addHelpText('after', `\n${exitCodesHelp('capture import')}`)
    .action(async (file: string, flags: ImportFlags) => {
      const { runCaptureImport } = await import('../commands/capture.js');
      await runCaptureImport(file, flags);
    });

  capture
    .command('info')
    .description('summarise a capture: duration, chunks and frames per direction, bad frames')
    .argument('<file>', 'capture (.jsonl) or hex dump; "-" for stdin')
    .option('--h2d <names...>', 'hex dumps: tty names/aliases carrying host → device bytes')
    .option('--d2h <names...>', 'hex dumps: tty names/aliases carrying device → host bytes')
    .option('--direction <dir>', 'hex dumps: direction of lines that name none (h2d|d2h)')
    .option('--format <fmt>', FORMAT_OPTION_HELP)
    .addHelpText('after', `\n${exitCodesHelp('capture info')}`)
    .action(async (file: string, flags: InfoFlags) => {
      const { runCaptureInfo } = await import('../commands/capture.js');
      await runCaptureInfo(file, flags);
    });
}
