/**
 * Fault soak (issue #7): 1,000 complete entries over a cable that drops, corrupts, duplicates and delays bytes
 * at 1–5 % (seeded: TENKEY_SOAK_SEED replays a run), driver and keypad in process on one virtual clock. Every
 * entry ends exactly once, with its own RESULT (the keypad sent it for this entry's session) that decrypts to the
 * card typed, or one of the four store errors; at every rate enough entries still end in a RESULT and the driver is
 * connected after the last one. The table (counts per outcome per rate, and the seed) is printed; it names no card number.
 */
import { describe, expect, it } from 'vitest';
import {
  minResults, outcomesOf, rowsBelowFloor, runSoak, SOAK_RATES, soakPassed, soakSeed, type SoakReport,
} from './soak-harness.js';
import { formatSoakTable } from './soak-table.js';

const ENTRIES = 1000;

describe('fault soak on virtual time', () => {
  let report: SoakReport;

  it(`runs ${ENTRIES} entries at ${SOAK_RATES.length} fault rates and prints the outcome table`, async () => {
    report = await runSoak({ entries: ENTRIES, seed: soakSeed() });
    console.log(formatSoakTable(report));
    expect(report.rows.map((r) => r.rate)).toEqual([...SOAK_RATES]);
    expect(report.total.entries).toBe(ENTRIES);
  }, 120_000);

  it('ends every entry exactly once: nothing lost, duplicated, cancelled, or wrong', () => {
    const { total } = report;
    expect({
      lost: total.lost, duplicated: total.duplicated, wrongCard: total.wrongCard, wrongOutcome: total.wrongOutcome, cancelled: total.cancelled,
    }).toEqual({ lost: 0, duplicated: 0, wrongCard: 0, wrongOutcome: 0, cancelled: 0 });
    for (const row of report.rows) expect(outcomesOf(row), row.faults).toBe(row.entries);
    expect(soakPassed(report)).toBe(true);
  });

  it('keeps working at every fault rate: RESULTs above each floor, driver connected after the last entry', () => {
    expect(rowsBelowFloor(report)).toEqual([]);
    for (const row of report.rows) {
      expect(row.results, row.faults).toBeGreaterThanOrEqual(minResults(row));
      expect(row.results, row.faults).toBeGreaterThan(0);
      expect(row.endStatus, row.faults).toBe('connected');
    }
    // The 1 % row: well over 80 % of entries end in a good RESULT (5 % of the plan are expired cards).
    expect(minResults(report.rows[0]!)).toBeGreaterThanOrEqual(0.8 * report.rows[0]!.entries);
  });

  it('sees no unhandled rejection or uncaught exception', () => {
    expect(report.unhandled).toEqual([]);
  });

  it('really exercised both outcomes and every kind of fault', () => {
    const { total } = report;
    // A soak where nothing succeeds, or nothing fails, proves little either way.
    expect(total.results).toBeGreaterThan(ENTRIES / 4);
    expect(total.errors.CARD_SERVICE).toBeGreaterThan(0); // the expired cards the plan types
    expect(total.errors.TEMPORARY + total.errors.CONNECTION).toBeGreaterThan(0);
    expect(total.bytes.dropped).toBeGreaterThan(0);
    expect(total.bytes.corrupted).toBeGreaterThan(0);
    expect(total.bytes.duplicated).toBeGreaterThan(0);
  });

  it('replays exactly from its seed', async () => {
    const again = await runSoak({ entries: 40, seed: report.seed, rates: [0.03] });
    const twice = await runSoak({ entries: 40, seed: report.seed, rates: [0.03] });
    expect(twice.rows).toEqual(again.rows);
    expect(again.total.bytes.sent).toBeGreaterThan(0);
  });
});
