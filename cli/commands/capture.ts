import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { loadCapture } from '../../protocol/capture/load-capture.js';
import { captureToPcapng } from '../../protocol/capture/pcapng-writer.js';
import { formatCapture } from '../../protocol/capture/capture-writer.js';
import { framesOfCapture } from '../../protocol/capture/capture-frames.js';
import { isChunkRecord } from '../../protocol/capture/capture-format.js';
import { FORMAT_OPTION_HELP, hexImportOptionsFrom, reportCliError, type HexDirectionFlags } from '../capture/cli-support.js';
import { UsageError } from '../usage-error.js';
import { exitCodesHelp } from '../exit-codes.js';

/** `tenkey capture export|import|info`: move captures between formats and summarise them. */
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
    .action(async (file: string, flags: HexDirectionFlags & { pcapng: string; per: string }) => {
      try {
        if (flags.per !== 'frame' && flags.per !== 'chunk') throw new UsageError(`--per must be frame or chunk, not ${JSON.stringify(flags.per)}`);
        const loaded = await loadCapture(file, hexImportOptionsFrom(flags));
        await writeFile(flags.pcapng, captureToPcapng(loaded, { unit: flags.per }));
      } catch (e) {
        reportCliError('capture export', e);
      }
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
    .action(async (file: string, flags: HexDirectionFlags & { output?: string; note?: string }) => {
      try {
        const options = hexImportOptionsFrom(flags);
        if (flags.note !== undefined) options.note = flags.note;
        const text = formatCapture(await loadCapture(file, options));
        if (flags.output === undefined) process.stdout.write(text);
        else await writeFile(flags.output, text);
      } catch (e) {
        reportCliError('capture import', e);
      }
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
    .action(async (file: string, flags: HexDirectionFlags) => {
      try {
        const loaded = await loadCapture(file, hexImportOptionsFrom(flags));
        const chunks = loaded.records.filter(isChunkRecord);
        const frames = framesOfCapture(loaded);
        const last = loaded.records.at(-1)?.t ?? 0;
        const lines = [
          `tool:      ${loaded.header.captured.tool}`,
          `device:    ${loaded.header.captured.device ?? '-'}`,
          `started:   ${loaded.header.captured.startedAt}`,
          `duration:  ${(last / 1000).toFixed(3)} s`,
        ];
        if (loaded.header.note !== undefined) lines.push(`note:      ${loaded.header.note}`);
        if (loaded.header.scenario?.name !== undefined) lines.push(`scenario:  ${loaded.header.scenario.name}`);
        for (const dir of ['h2d', 'd2h'] as const) {
          const mine = frames.filter((f) => f.dir === dir);
          const bytes = chunks.filter((c) => c.dir === dir).reduce((n, c) => n + c.bytes.length, 0);
          lines.push(`${dir}:       ${chunks.filter((c) => c.dir === dir).length} chunks, ${bytes} bytes, `
            + `${mine.filter((f) => f.result.ok).length} frames, ${mine.filter((f) => !f.result.ok).length} bad`);
        }
        process.stdout.write(lines.join('\n') + '\n');
      } catch (e) {
        reportCliError('capture info', e);
      }
    });
}
