/** The soak's report as text: the seed (to replay it), then one line of outcome counts per fault rate. */
import { TENKEY_ERROR_CODES } from '../../host-driver/errors.js';
import type { SoakReport, SoakRow } from './soak-harness.js';

const COLUMNS: { title: string; cell: (row: SoakRow) => string }[] = [
  { title: 'rate', cell: (r) => (Number.isNaN(r.rate) ? 'all' : `${+(r.rate * 100).toFixed(2)} %`) },
  { title: 'entries', cell: (r) => String(r.entries) },
  { title: 'RESULT ok', cell: (r) => String(r.results) },
  { title: 'RESULT %', cell: (r) => (r.entries === 0 ? '-' : `${((100 * r.results) / r.entries).toFixed(1)} %`) },
  ...TENKEY_ERROR_CODES.map((code) => ({ title: code, cell: (r: SoakRow) => String(r.errors[code]) })),
  { title: 'cancelled', cell: (r) => String(r.cancelled) },
  { title: 'lost', cell: (r) => String(r.lost) },
  { title: 'duplicated', cell: (r) => String(r.duplicated) },
  { title: 'wrong card', cell: (r) => String(r.wrongCard) },
  { title: 'wrong outcome', cell: (r) => String(r.wrongOutcome) },
  { title: 'reconnects', cell: (r) => String(r.reconnects) },
  { title: 'driver at end', cell: (r) => r.endStatus },
  { title: 'virtual s', cell: (r) => r.virtualSeconds.toFixed(0) },
];

export function formatSoakTable(report: SoakReport): string {
  const rows = [...report.rows, report.total];
  const cells = rows.map((row) => COLUMNS.map((c) => c.cell(row)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  const causes = Object.entries(report.total.causes).sort((a, b) => b[1] - a[1]).map(([cause, n]) => `${cause} ${n}`).join(', ');
  const { bytes } = report.total;
  return [
    `fault soak: seed ${report.seed} (replay with TENKEY_SOAK_SEED=${report.seed}), ${report.total.entries} entries, `
      + `${report.wallSeconds.toFixed(1)} s wall for ${report.total.virtualSeconds.toFixed(0)} s of virtual time`,
    line(COLUMNS.map((c) => c.title)),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(0, -1).map(line),
    widths.map((w) => '-'.repeat(w)).join('  '),
    line(cells.at(-1)!),
    'rate = share of bytes harmed in each direction, split evenly between drop, corrupt and duplicate; every chunk also delayed.',
    ...report.rows.map((r) => `  ${+(r.rate * 100).toFixed(2)} %: --fault ${r.faults}`),
    `causes of the errors: ${causes || 'none'}`,
    `bytes on the cable: ${bytes.sent} sent, ${bytes.dropped} dropped, ${bytes.corrupted} corrupted, ${bytes.duplicated} duplicated; `
      + `encrypted on the keypad but not delivered (ended TEMPORARY): ${report.total.encryptedNotDelivered}; `
      + `handshakes retried before the driver opened: ${report.total.openRetries}; `
      + `unhandled rejections/exceptions: ${report.unhandled.length}`,
  ].join('\n');
}
