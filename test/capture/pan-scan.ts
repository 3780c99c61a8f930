import { cobsDecode } from '../../protocol/cobs.js';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { isChunkRecord } from '../../protocol/capture/capture-format.js';

/** Packed BCD of a digit string, two digits a byte, an odd tail padded with 0xF (as ISO 8583 / EMV do). */
export function bcd(digits: string): Buffer {
  const padded = digits.length % 2 === 0 ? digits : `${digits}f`;
  return Buffer.from(padded, 'hex');
}

/**
 * Every place a card number shows up in a capture file: in the text itself (ASCII digits; BCD bytes written as
 * hex read as the digits themselves), as hex of its ASCII, and in each direction's byte stream and in every
 * COBS-decoded frame body, as ASCII, as BCD at any nibble alignment.
 */
export function findCardNumbers(text: string, pans: readonly string[]): string[] {
  const hits: string[] = [];
  const lower = text.toLowerCase();
  const streams: Buffer[] = [];
  try {
    const capture = parseCapture(text);
    for (const dir of ['h2d', 'd2h'] as const) {
      const stream = Buffer.concat(capture.records.filter(isChunkRecord).filter((r) => r.dir === dir).map((r) => r.bytes));
      streams.push(stream);
      let start = 0;
      for (let i = 0; i <= stream.length; i++) {
        if (i < stream.length && stream[i] !== 0) continue;
        if (i > start) {
          try {
            streams.push(cobsDecode(stream.subarray(start, i)));
          } catch {
            // not a frame: its raw bytes are scanned in the stream above
          }
        }
        start = i + 1;
      }
    }
  } catch {
    // not a capture: the text scan below still runs
  }
  for (const pan of pans) {
    if (lower.includes(pan)) hits.push(`${pan} as text`);
    if (lower.includes(Buffer.from(pan, 'ascii').toString('hex'))) hits.push(`${pan} as hex of ASCII`);
    for (const bytes of streams) {
      if (bytes.includes(Buffer.from(pan, 'ascii'))) hits.push(`${pan} as ASCII bytes`);
      if (bytes.includes(bcd(pan))) hits.push(`${pan} as BCD bytes`);
      if (bytes.toString('hex').includes(pan)) hits.push(`${pan} as BCD nibbles`);
    }
  }
  return [...new Set(hits)];
}
