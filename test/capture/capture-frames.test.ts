import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame } from '../../protocol/frame.js';
import { framesOfRecords, timelineOfRecords } from '../../protocol/capture/capture-frames.js';
import type { CaptureRecord } from '../../protocol/capture/capture-format.js';

const frames = [
  encodeFrame({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, 0),
  encodeFrame({ type: 'PING', nonce: 0xdeadbeef }, 7),
  encodeFrame({ type: 'KEY', sessionId: 9, keyClass: 'CLEAR', field: 'PAN', digits: 0, notice: 'NONE' }, 3),
  encodeFrame({ type: 'ACK' }, 3, { fromDevice: false }),
];

/** Cuts `bytes` at the given offsets into chunk records of one direction. */
function chunked(bytes: Buffer, cuts: number[]): CaptureRecord[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const records: CaptureRecord[] = [];
  let from = 0;
  for (const to of [...points, bytes.length]) {
    if (to > from) records.push({ dir: 'h2d', t: records.length, bytes: bytes.subarray(from, to) });
    from = Math.max(from, to);
  }
  return records;
}

const summary = (records: CaptureRecord[]): string[] =>
  framesOfRecords(records).map((f) => (f.result.ok ? `ok ${f.result.frame.message.type} ${f.raw.toString('hex')}` : `bad ${f.result.error.code} ${f.raw.toString('hex')}`));

describe('frames of a capture', () => {
  it('do not depend on how the bytes were chunked (frames, garbage and a cut-off tail alike)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...frames), fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => Buffer.from(b))), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (pieces, cuts) => {
          const stream = Buffer.concat(pieces);
          fc.pre(stream.length > 0);
          expect(summary(chunked(stream, cuts))).toEqual(summary([{ dir: 'h2d', t: 0, bytes: stream }]));
        },
      ),
    );
  });

  it('keep each direction\'s stream apart and stamp a frame with its first and last chunk', () => {
    const ping = frames[1]!;
    const records: CaptureRecord[] = [
      { dir: 'h2d', t: 1, bytes: ping.subarray(0, 4) },
      { dir: 'd2h', t: 2, bytes: frames[3]! },
      { dir: 'h2d', t: 3, bytes: ping.subarray(4) },
    ];
    const [first, second] = framesOfRecords(records);
    expect(first).toMatchObject({ dir: 'd2h', t: 2, firstRecord: 1, lastRecord: 1 });
    expect(second).toMatchObject({ dir: 'h2d', t: 3, tFirstByte: 1, firstRecord: 0, lastRecord: 2, complete: true });
    expect(second!.result.ok && second!.result.frame.message).toEqual({ type: 'PING', nonce: 0xdeadbeef });
  });

  it('drop a half frame when the device goes away, and report it as cut off', () => {
    const hello = frames[0]!;
    const timeline = timelineOfRecords([
      { dir: 'd2h', t: 1, bytes: hello.subarray(0, 5) },
      { event: 'close', side: 'device', t: 2 },
      { event: 'open', side: 'device', t: 3 },
      { dir: 'd2h', t: 4, bytes: hello },
    ]);
    expect(timeline.map((i) => ('raw' in i ? `${i.complete ? 'frame' : 'cut'} ${i.result.ok}` : i.event))).toEqual([
      'cut false', 'close', 'open', 'frame true',
    ]);
  });
});
