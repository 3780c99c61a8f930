/**
 * Stream decoding: the full FrameDecoder (COBS, CRC, header, body) against @serialport/parser-delimiter
 * alone (split at 0x00, nothing parsed) and a bare Buffer.indexOf(0) scan, over the same bytes.
 * Two more records show where the decoder's time goes: the same decoding without a stream (a loop over
 * decodeFrameOrError), and an object-mode Transform that only pushes a constant per 0x00 (the floor).
 */
import type { Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { DelimiterParser } from '@serialport/parser-delimiter';
import { FrameDecoder } from '../../protocol/index.js';
import { decodeFrameOrError, FrameScratch, isDecodeFailure } from '../../protocol/frame.js';
import { PushOnlyTransform } from '../push-only.js';
import { median, medianSpeedRatio, timeInRounds, type BenchCase, type BenchRecord } from '../record.js';
import { buildWorkload, chunked } from '../workload.js';

const STREAM_BYTES = 32 * 1024 * 1024;
/** A typical socket/serial read size. */
const CHUNK_BYTES = 64 * 1024;

/** Writes every chunk into `stream` and resolves with how many objects (frames) came out of it. */
async function objectsOut(stream: Transform, chunks: readonly Buffer[]): Promise<number> {
  let count = 0;
  stream.on('data', () => { count++; });
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await finished(stream);
  return count;
}

export const frameDecodeCase: BenchCase = {
  name: 'frame-decode',
  async run({ repetitions, log }) {
    const workload = buildWorkload(STREAM_BYTES);
    const chunks = chunked(workload.bytes, CHUNK_BYTES);
    const mb = workload.bytes.length / 1e6;
    log(`frame-decode: ${mb.toFixed(1)} MB, ${workload.frames} frames (${Object.keys(workload.mix).length} message types), `
      + `${CHUNK_BYTES / 1024} KiB chunks, median of ${repetitions}`);

    const timings = await timeInRounds(repetitions, {
      decoder: async () => {
        const decoder = new FrameDecoder();
        const frames = await objectsOut(decoder, chunks);
        if (frames !== workload.frames || decoder.stats.droppedBytes !== 0) {
          throw new Error(`FrameDecoder decoded ${frames}/${workload.frames} frames, dropped ${decoder.stats.droppedBytes} bytes`);
        }
      },
      delimiter: async () => {
        const frames = await objectsOut(new DelimiterParser({ delimiter: [0] }), chunks);
        if (frames < workload.frames) throw new Error(`DelimiterParser split ${frames}/${workload.frames}`);
      },
      scan: () => {
        let frames = 0;
        for (const chunk of chunks) {
          for (let at = chunk.indexOf(0); at !== -1; at = chunk.indexOf(0, at + 1)) frames++;
        }
        if (frames !== workload.frames) throw new Error(`indexOf scan found ${frames}/${workload.frames}`);
      },
      decodeLoop: () => {
        // The whole workload as one buffer: no chunk boundaries, no stream.
        const bytes = workload.bytes;
        const scratch = new FrameScratch();
        let frames = 0;
        for (let start = 0, at = bytes.indexOf(0); at !== -1; start = at + 1, at = bytes.indexOf(0, start)) {
          if (!isDecodeFailure(decodeFrameOrError(bytes, start, at, scratch))) frames++;
        }
        if (frames !== workload.frames) throw new Error(`decodeFrameOrError decoded ${frames}/${workload.frames}`);
      },
      pushOnly: async () => {
        const frames = await objectsOut(new PushOnlyTransform(), chunks);
        if (frames !== workload.frames) throw new Error(`push-only Transform pushed ${frames}/${workload.frames}`);
      },
    });
    const decoderSeconds = median(timings.decoder);
    const delimiterSeconds = median(timings.delimiter);
    const scanSeconds = median(timings.scan);

    const throughput = (seconds: number) => mb / seconds;
    const records: BenchRecord[] = [
      { name: 'indexOf(0) scan', value: throughput(scanSeconds), unit: 'MB/s', baseline: null, ratio: null },
      { name: 'parser-delimiter split', value: throughput(delimiterSeconds), unit: 'MB/s', baseline: null, ratio: null },
      {
        name: 'FrameDecoder decode', value: throughput(decoderSeconds), unit: 'MB/s',
        baseline: 'parser-delimiter split', ratio: medianSpeedRatio(timings.decoder, timings.delimiter),
      },
      {
        name: 'FrameDecoder decode vs scan', value: throughput(decoderSeconds), unit: 'MB/s',
        baseline: 'indexOf(0) scan', ratio: medianSpeedRatio(timings.decoder, timings.scan),
      },
      {
        name: 'decodeFrameOrError loop, no stream', value: throughput(median(timings.decodeLoop)), unit: 'MB/s',
        baseline: 'indexOf(0) scan', ratio: medianSpeedRatio(timings.decodeLoop, timings.scan),
      },
      {
        name: 'Transform push-only (floor)', value: throughput(median(timings.pushOnly)), unit: 'MB/s',
        baseline: 'indexOf(0) scan', ratio: medianSpeedRatio(timings.pushOnly, timings.scan),
      },
      { name: 'FrameDecoder frames', value: workload.frames / decoderSeconds, unit: 'frames/s', baseline: null, ratio: null },
      { name: 'parser-delimiter frames', value: workload.frames / delimiterSeconds, unit: 'frames/s', baseline: null, ratio: null },
    ];
    return records;
  },
};
