/**
 * Replay throughput: every fixture session replayed with --instant (virtual time) against the host driver and
 * against the simulator, as sessions per second and as the ratio of recorded session time to replay time
 * (how many times faster than the recorded wall time a session replays).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { replayCapture } from '../../replay/replay-capture.js';
import type { Capture } from '../../protocol/capture/capture-format.js';
import { median, type BenchCase, type BenchRecord } from '../record.js';

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/captures');

function loadFixtures(): Array<{ name: string; capture: Capture }> {
  return readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => ({ name: f, capture: parseCapture(readFileSync(join(fixtureDir, f), 'utf8')) }));
}

export const replayCase: BenchCase = {
  name: 'replay',
  async run({ repetitions, log }) {
    const fixtures = loadFixtures();
    const recordedSeconds = fixtures.reduce((s, f) => s + (f.capture.records.at(-1)?.t ?? 0), 0) / 1000;
    log(`replay: ${fixtures.length} fixture sessions, ${recordedSeconds.toFixed(1)} s recorded, --instant, median of ${repetitions}`);
    const records: BenchRecord[] = [];
    for (const against of ['host', 'device'] as const) {
      const seconds: number[] = [];
      for (let round = 0; round < repetitions; round++) {
        const start = process.hrtime.bigint();
        for (const { name, capture } of fixtures) {
          const report = await replayCapture(capture, { against, timing: { instant: true } });
          if (!report.ok) throw new Error(`replay of ${name} against ${against} did not match: the benchmark needs green fixtures`);
        }
        seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
      }
      const replaySeconds = median(seconds);
      records.push(
        { name: `replay --instant against ${against}`, value: fixtures.length / replaySeconds, unit: 'sessions/s', baseline: null, ratio: null },
        {
          name: `replay --instant against ${against} vs recorded time`,
          value: recordedSeconds / replaySeconds,
          unit: '× recorded speed',
          baseline: 'recorded wall time',
          ratio: recordedSeconds / replaySeconds,
        },
      );
    }
    return records;
  },
};
