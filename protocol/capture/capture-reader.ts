import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Capture, CaptureHeader, CaptureRecord } from './capture-format.js';
import { parseHeaderLine, parseRecordLine } from './capture-codec.js';
import { captureError } from './capture-error.js';

/** Parses a whole capture held in memory. Throws CaptureError (with the line number) on the first bad line. */
export function parseCapture(text: string): Capture {
  let header: CaptureHeader | undefined;
  const records: CaptureRecord[] = [];
  let previousT = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() === '') continue;
    if (header === undefined) {
      header = parseHeaderLine(content, i + 1);
      continue;
    }
    const record = parseRecordLine(content, i + 1, previousT);
    previousT = record.t;
    records.push(record);
  }
  if (header === undefined) throw captureError('EMPTY', 'no header: the input is empty');
  return { header, records };
}

/**
 * Streams a capture: yields the header first, then records as their lines arrive, so a capture that is
 * still being written (a running `tenkey tap -o`) can be followed.
 */
export async function* readCaptureStream(input: Readable): AsyncGenerator<CaptureHeader | CaptureRecord> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let seenHeader = false;
  let previousT = 0;
  try {
    for await (const content of lines) {
      lineNo++;
      if (content.trim() === '') continue;
      if (!seenHeader) {
        seenHeader = true;
        yield parseHeaderLine(content, lineNo);
        continue;
      }
      const record = parseRecordLine(content, lineNo, previousT);
      previousT = record.t;
      yield record;
    }
  } finally {
    lines.close();
  }
  if (!seenHeader) throw captureError('EMPTY', 'no header: the input is empty');
}

/** Reads a capture file (or stdin for "-") completely. */
export async function readCaptureFile(path: string): Promise<Capture> {
  const input = path === '-' ? process.stdin : createReadStream(path);
  let header: CaptureHeader | undefined;
  const records: CaptureRecord[] = [];
  for await (const item of readCaptureStream(input)) {
    if ('format' in item) header = item;
    else records.push(item);
  }
  if (header === undefined) throw captureError('EMPTY', 'no header: the input is empty');
  return { header, records };
}
