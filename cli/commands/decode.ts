/** What `tenkey decode` does (cli/verbs/decode.ts declares its options and loads this when it runs). */
import { loadCapture } from '../../protocol/capture/load-capture.js';
import { isCapturedFrame, timelineOfRecords } from '../../protocol/capture/capture-frames.js';
import { formatFrameLine, formatLinkEventLine, frameToJson, linkEventToJson } from '../../protocol/capture/frame-listing.js';
import { hexImportOptionsFrom, reportCliError } from '../capture/cli-support.js';
import type { HexDirectionFlags } from '../capture/format-option.js';

export interface DecodeFlags extends HexDirectionFlags {
  json?: boolean;
}

/** One line per frame (or link event) of the capture on stdout; a bad input is one line on stderr and its exit code. */
export async function runDecode(file: string, flags: DecodeFlags): Promise<void> {
  try {
    const capture = await loadCapture(file, hexImportOptionsFrom(flags));
    const lines: string[] = [];
    for (const item of timelineOfRecords(capture.records)) {
      if (flags.json) lines.push(JSON.stringify(isCapturedFrame(item) ? frameToJson(item) : linkEventToJson(item)));
      else lines.push(isCapturedFrame(item) ? formatFrameLine(item) : formatLinkEventLine(item));
    }
    process.stdout.write(lines.length === 0 ? '' : lines.join('\n') + '\n');
  } catch (e) {
    reportCliError('decode', e);
  }
}
