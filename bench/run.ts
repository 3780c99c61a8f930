/**
 * `npm run [-s] bench [-- --json] [-- --only <case>] [-- --repetitions N]`: runs every case in bench/cases and prints a
 * table with ratios, or with --json only a JSON array of { name, value, unit, baseline, ratio } on stdout (with
 * `npm run -s`: npm's own lines stay off stdout).
 */
import { parseArgs } from 'node:util';
import { benchCases } from './cases/index.js';
import type { BenchRecord } from './record.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    repetitions: { type: 'string', default: '5' },
  },
});
const repetitions = Number(values.repetitions);
if (!Number.isInteger(repetitions) || repetitions < 1) throw new TypeError('--repetitions must be a positive integer');

const log = (line: string) => process.stderr.write(`${line}\n`);
const records: BenchRecord[] = [];
for (const benchCase of benchCases) {
  if (values.only !== undefined && benchCase.name !== values.only) continue;
  records.push(...(await benchCase.run({ repetitions, log })));
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
} else {
  const fmt = (n: number) => (n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  const rows = records.map((r) => [
    r.name, `${fmt(r.value)} ${r.unit}`, r.baseline ?? '', r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`,
  ]);
  const header = ['benchmark', 'value', 'compared with', 'speed ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log('\nspeed ratio = this ÷ baseline (1.00× = as fast; 0.50× = half as fast).');
}
