/**
 * The fault soak at full size: 10,000 entries over a cable that drops, corrupts, duplicates and delays bytes at
 * 1–5 % (test/soak/soak-harness.ts, shared with the test suite's 1,000), on virtual time. Prints the outcome table
 * and the seed (TENKEY_SOAK_SEED replays it); reports entries per second against the same driver and keypad on a
 * clean cable, measured in the same run. Throws if any entry was lost, duplicated or wrong: a number measured
 * over a broken soak means nothing.
 */
import { soakHandshakes, type HandshakeSoakSide } from '../../test/soak/handshake-soak-harness.js';
import { outcomesOf, rowsBelowFloor, runSoak, soakPassed, soakSeed } from '../../test/soak/soak-harness.js';
import { formatSoakTable } from '../../test/soak/soak-table.js';
import type { BenchCase, BenchRecord } from '../record.js';

const ENTRIES = 10_000;
/** The clean-line baseline: enough entries for a steady rate, few enough to cost little. */
const BASELINE_ENTRIES = 1_000;
/** Opens per side of the handshake soak (1 % of the bytes dropped on that side). */
const HANDSHAKES = 2_000;
const HANDSHAKE_SIDES: readonly HandshakeSoakSide[] = ['toHost', 'toDevice', 'both'];

export const faultSoakCase: BenchCase = {
  name: 'fault-soak',
  async run({ log }) {
    const seed = soakSeed();
    log(`fault-soak: ${ENTRIES} entries at 1–5 % byte faults, seed ${seed}; baseline ${BASELINE_ENTRIES} entries on a clean line`);
    const clean = await runSoak({ entries: BASELINE_ENTRIES, seed, rates: [0] });
    const report = await runSoak({ entries: ENTRIES, seed, log });
    log(formatSoakTable(report));
    const belowFloor = [...rowsBelowFloor(clean), ...rowsBelowFloor(report)];
    if (!soakPassed(report) || !soakPassed(clean) || belowFloor.length > 0) {
      throw new Error(`fault soak failed (seed ${seed}): lost ${report.total.lost}, duplicated ${report.total.duplicated}, `
        + `wrong card ${report.total.wrongCard}, wrong outcome ${report.total.wrongOutcome}, unhandled ${report.unhandled.length}, `
        + `driver at end ${report.total.endStatus}, below the RESULT floor: ${belowFloor.join('; ') || 'none'}`);
    }
    const cleanRate = clean.total.entries / clean.wallSeconds;
    const rate = report.total.entries / report.wallSeconds;
    const records: BenchRecord[] = [
      { name: 'soak entries, clean line', value: cleanRate, unit: 'entries/s', baseline: null, ratio: null },
      { name: 'soak entries, 1–5 % faults', value: rate, unit: 'entries/s', baseline: 'soak entries, clean line', ratio: rate / cleanRate },
      {
        name: 'soak virtual time vs wall time', value: report.total.virtualSeconds / report.wallSeconds, unit: '× real time',
        baseline: 'real time', ratio: report.total.virtualSeconds / report.wallSeconds,
      },
      { name: 'soak entries ended exactly once', value: outcomesOf(report.total), unit: `of ${report.total.entries}`, baseline: null, ratio: null },
      { name: 'soak RESULTs that decrypted to the typed card', value: report.total.results, unit: 'entries', baseline: null, ratio: null },
    ];
    // The handshake (PROTOCOL.md §6.5): no open may fail for lack of a second HELLO.
    for (const side of HANDSHAKE_SIDES) {
      const soak = await soakHandshakes(HANDSHAKES, { drop: 0.01 }, side, seed);
      log(`handshake soak, 1 % dropped ${side}: ${soak.opened}/${HANDSHAKES} opened, ${soak.retried} said HELLO again, `
        + `failed: ${soak.failures.join('; ') || 'none'}`);
      // A failure after several HELLOs is a line bad for the whole deadline; one after a single HELLO is a missing retry.
      if (soak.unretriedFailures > 0) throw new Error(`handshake soak (seed ${seed}, ${side}): a handshake failed without a second HELLO: ${soak.failures.join('; ')}`);
      records.push({ name: `handshakes opened at 1 % bytes dropped (${side})`, value: soak.opened, unit: `of ${HANDSHAKES}`, baseline: null, ratio: null });
    }
    for (const row of report.rows) {
      records.push({
        name: `soak entries ending in RESULT at ${+(row.rate * 100).toFixed(2)} %`, value: (100 * row.results) / row.entries, unit: '%',
        baseline: null, ratio: null,
      });
    }
    return records;
  },
};
