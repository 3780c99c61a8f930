/**
 * Scale (issue #7): 1, 16, 64 and 256 virtual keypads, each on its own PTY, with one driver each, all in this one
 * process; every driver runs entries back to back while its keypad types a TEST card with no key delay. Reports
 * entries per second, p50/p99 START_ENTRY→RESULT latency (driver side) and memory per keypad, each compared with
 * the lone keypad of the same run. Target: p99 under 50 ms with 256 keypads.
 */
import { median, type BenchCase, type BenchRecord } from '../record.js';
import { percentile } from '../scale/percentile.js';
import { runScale, type ScaleReport } from '../scale/scale-harness.js';

export const SCALE_SIZES = [1, 16, 64, 256] as const;
/** Entries per round across all keypads (at least two per keypad): every size measures about as many entries. */
const ENTRIES_PER_ROUND = 256;
const TARGET = { keypads: 256, p99Ms: 50 } as const;
/** The paced run starts entries at this share of the back-to-back rate of the largest size. */
const PACED_SHARE_OF_CAPACITY = 0.5;

interface SizeResult {
  keypads: number;
  entriesPerSecond: number;
  p50: number;
  p99: number;
  report: ScaleReport;
}

const kib = (bytes: number) => bytes / 1024;
const plural = (n: number) => `${n} keypad${n === 1 ? '' : 's'}`;

/** Finished entries per second (median over rounds) and latency percentiles over every finished entry. */
function summarize(report: ScaleReport): SizeResult {
  const latencies = report.entries.map((e) => e.latencyMs);
  const finishedIn = (round: number) => report.entries.filter((e) => e.round === round).length;
  return {
    keypads: report.keypads,
    entriesPerSecond: median(report.roundSeconds.map((seconds, round) => finishedIn(round) / seconds)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    report,
  };
}

function logTable(result: SizeResult, log: (line: string) => void): void {
  const { total, driver, collected } = result.report.memoryPerKeypad;
  const cells = [
    ['entries/s', result.entriesPerSecond.toFixed(0)],
    ['p50 ms', result.p50.toFixed(1)],
    ['p99 ms', result.p99.toFixed(1)],
    ['heap+ext KiB/keypad', kib(total.heapAndExternal).toFixed(0)],
    ['rss KiB/keypad', kib(total.rss).toFixed(0)],
    ['driver heap+ext KiB/keypad', kib(driver.heapAndExternal).toFixed(0)],
  ];
  log(`  ${cells.map(([h, v]) => h!.padStart(Math.max(h!.length, v!.length))).join('  ')}`);
  log(`  ${cells.map(([h, v]) => v!.padStart(Math.max(h!.length, v!.length))).join('  ')}`);
  const { failures, entries } = result.report;
  if (failures.length > 0) {
    const byCause = new Map<string, number>();
    for (const { cause } of failures) byCause.set(cause, (byCause.get(cause) ?? 0) + 1);
    const causes = [...byCause].map(([cause, count]) => `${cause} ×${count}`);
    log(`  ${failures.length} of ${failures.length + entries.length} entries FAILED (${causes.join(', ')}): the process did not keep up; `
      + 'percentiles are over the entries that finished');
  }
  if (!collected) log('  (memory without a forced GC: run node with --expose-gc, as `npm run bench` does, for steady numbers)');
}

export const scaleCase: BenchCase = {
  name: 'scale',
  async run({ repetitions, log }) {
    // A throw-away run first: module loading and JIT warm-up would otherwise count as the lone keypad's memory.
    await runScale({ keypads: 1, entriesPerKeypad: 2, rounds: 1 });
    const results: SizeResult[] = [];
    for (const keypads of SCALE_SIZES) {
      const entriesPerKeypad = Math.max(2, Math.ceil(ENTRIES_PER_ROUND / keypads));
      log(`scale: ${plural(keypads)}, each on its own PTY with its own driver, one process; ${entriesPerKeypad} entries per keypad `
        + `back to back, no key delay; median of ${repetitions} rounds (+1 warm-up)`);
      const report = await runScale({ keypads, entriesPerKeypad, rounds: repetitions });
      const result = summarize(report);
      logTable(result, log);
      results.push(result);
    }
    // Below saturation: the same 256 keypads, entries started at half the rate they managed back to back.
    const busiest = results.at(-1)!;
    const paceEntriesPerSecond = busiest.entriesPerSecond * PACED_SHARE_OF_CAPACITY;
    const pacedPerKeypad = 2;
    log(`scale: ${plural(busiest.keypads)} paced at ${paceEntriesPerSecond.toFixed(0)} entries/s in all (half of back to back), `
      + `${pacedPerKeypad} entries per keypad, one round`);
    const pacedReport = await runScale({
      keypads: busiest.keypads, entriesPerKeypad: pacedPerKeypad, rounds: 1, warmupRounds: 0, paceEntriesPerSecond,
    });
    const paced = summarize(pacedReport);
    logTable(paced, log);
    log('scale: RSS deltas are rough (pages freed by an earlier size are reused); heap+external is the steady number');
    const target = results.find((r) => r.keypads === TARGET.keypads)!;
    const met = target.p99 < TARGET.p99Ms;
    log(`scale target: ${plural(TARGET.keypads)} with p99 START_ENTRY→RESULT under ${TARGET.p99Ms} ms (back to back): `
      + `${met ? 'met' : 'NOT met'} (p99 ${target.p99.toFixed(1)} ms; paced at half capacity: p99 ${paced.p99.toFixed(1)} ms)`);

    const lone = results[0]!;
    const name = (r: SizeResult, what: string) => `scale ${plural(r.keypads)}: ${what}`;
    const records: BenchRecord[] = [];
    for (const r of results) {
      const isLone = r === lone;
      const vsLone = (what: string, ratio: number) => (isLone ? { baseline: null, ratio: null } : { baseline: name(lone, what), ratio });
      const { total } = r.report.memoryPerKeypad;
      records.push(
        { name: name(r, 'entries/s'), value: r.entriesPerSecond, unit: 'entries/s', ...vsLone('entries/s', r.entriesPerSecond / lone.entriesPerSecond) },
        { name: name(r, 'p50 START_ENTRY→RESULT'), value: r.p50, unit: 'ms', ...vsLone('p50 START_ENTRY→RESULT', lone.p50 / r.p50) },
        { name: name(r, 'p99 START_ENTRY→RESULT'), value: r.p99, unit: 'ms', ...vsLone('p99 START_ENTRY→RESULT', lone.p99 / r.p99) },
        { name: name(r, 'heap+external per keypad'), value: kib(total.heapAndExternal), unit: 'KiB', baseline: null, ratio: null },
        { name: name(r, 'rss per keypad'), value: kib(total.rss), unit: 'KiB', baseline: null, ratio: null },
        { name: name(r, 'failed entries'), value: r.report.failures.length, unit: 'entries', baseline: null, ratio: null },
      );
    }
    const pacedName = (what: string) => `scale ${plural(paced.keypads)} paced at half capacity: ${what}`;
    records.push(
      { name: pacedName('entries/s'), value: paced.entriesPerSecond, unit: 'entries/s', baseline: null, ratio: null },
      { name: pacedName('p50 START_ENTRY→RESULT'), value: paced.p50, unit: 'ms', baseline: name(lone, 'p50 START_ENTRY→RESULT'), ratio: lone.p50 / paced.p50 },
      { name: pacedName('p99 START_ENTRY→RESULT'), value: paced.p99, unit: 'ms', baseline: name(lone, 'p99 START_ENTRY→RESULT'), ratio: lone.p99 / paced.p99 },
      { name: pacedName('failed entries'), value: paced.report.failures.length, unit: 'entries', baseline: null, ratio: null },
    );
    return records;
  },
};
