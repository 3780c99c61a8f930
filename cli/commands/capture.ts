/** What `tenkey capture export|import|info` do (cli/verbs/capture.ts declares their options and loads this when one runs). */
import { writeFile } from 'node:fs/promises';
import { loadCapture } from '../../protocol/capture/load-capture.js';
import { captureToPcapng } from '../../protocol/capture/pcapng-writer.js';
import { formatCapture } from '../../protocol/capture/capture-writer.js';
import { framesOfCapture } from '../../protocol/capture/capture-frames.js';
import { isChunkRecord } from '../../protocol/capture/capture-format.js';
import { hexImportOptionsFrom, reportCliError } from '../capture/cli-support.js';
import type { HexDirectionFlags } from '../capture/format-option.js';
import { UsageError } from '../usage-error.js';

export type ExportFlags = HexDirectionFlags & { pcapng: string; per: string };
export type ImportFlags = HexDirectionFlags & { output?: string; note?: string };
export type InfoFlags = HexDirectionFlags;

export async function runCaptureExport(file: string, flags: ExportFlags): Promise<void> {
  try {
    if (flags.per !== 'frame' && flags.per !== 'chunk') throw new UsageError(`--per must be frame or chunk, not ${JSON.stringify(flags.per)}`);
    const loaded = await loadCapture(file, hexImportOptionsFrom(flags));
    await writeFile(flags.pcapng, captureToPcapng(loaded, { unit: flags.per }));
  } catch (e) {
    reportCliError('capture export', e);
  }
}

export async function runCaptureImport(file: string, flags: ImportFlags): Promise<void> {
  try {
    const options = hexImportOptionsFrom(flags);
    if (flags.note !== undefined) options.note = flags.note;
    const text = formatCapture(await loadCapture(file, options));
    if (flags.output === undefined) process.stdout.write(text);
    else await writeFile(flags.output, text);
  } catch (e) {
    reportCliError('capture import', e);
  }
}

export async function runCaptureInfo(file: string, flags: InfoFlags): Promise<void> {
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
}
