/**
 * Replay throughput: every fixture session replayed with --instant (virtual time, in-process: tenkey/replay)
 * against the host driver and against the virtual keypad, as sessions per second and as the ratio of recorded
 * session time to replay time (how many times faster than the recorded wall time a session replays). The log
 * names each side's slowest fixture against its own recorded time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCapture, replayCapture, type Capture } from '../../replay/index.js';
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
    log(`replay: ${fixtures.length} fixture sessions, ${recordedSeconds.toFixed(1)} s recorded, --instant, median of ${repetitions} rounds (+1 warm-up)`);
    const records: BenchRecord[] = [];
    for (const against of ['host', 'device'] as const) {
      const seconds: number[] = [];
      const cpuMs: number[] = [];
      const perFixture = fixtures.map((): number[] => []);
      // One unmeasured round first, as the other cases do: with five rounds, JIT warm-up would otherwise be the median.
      for (const { capture } of fixtures) await replayCapture(capture, { against, timing: { instant: true } });
      for (let round = 0; round < repetitions; round++) {
        const cpu = process.cpuUsage();
        const start = process.hrtime.bigint();
        for (const [i, { name, capture }] of fixtures.entries()) {
          const began = process.hrtime.bigint();
          const report = await replayCapture(capture, { against, timing: { instant: true } });
          perFixture[i]!.push(Number(process.hrtime.bigint() - began) / 1e9);
          if (!report.ok) throw new Error(`replay of ${name} against ${against} did not match: the benchmark needs green fixtures`);
        }
        seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
        const used = process.cpuUsage(cpu);
        cpuMs.push((used.user + used.system) / 1000);
      }
      const replaySeconds = median(seconds);
      const ratios = fixtures.map((f, i) => ({ name: f.name, ratio: (f.capture.records.at(-1)?.t ?? 0) / 1000 / median(perFixture[i]!) }));
      const slowest = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
      log(`replay against ${against}: slowest fixture ${slowest.name} at ${Math.round(slowest.ratio)}× its recorded time`);
      // CPU time per round says what a loaded machine's wall time hides.
      log(`replay against ${against}: ${median(cpuMs).toFixed(1)} ms process CPU per round (median; JIT and GC threads included), `
        + `${(replaySeconds * 1000).toFixed(1)} ms wall; `
        + `${Math.round(recordedSeconds * 1000 / median(cpuMs))}× recorded time per CPU second`);
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
