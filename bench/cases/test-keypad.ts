/**
 * tenkey/testing throughput: complete card entries through createTestKeypad (the real driver, the in-memory cable,
 * the real virtual keypad), one kit, one entry at a time, as a store backend's test suite runs them. On virtual
 * time against the same kit on real time, in rounds of the same run; then entries typed at a person's pace and
 * 60 s entry timeouts, as how many times faster than real time they pass. The goal is 10,000 entries/s in one
 * process; the log says whether it was met and how much CPU one entry took.
 */
import { createTestKeypad, type TestEntry, type TestKeypad } from '../../testing/index.js';
import { median, medianSpeedRatio, timeInRounds, type BenchCase, type BenchRecord } from '../record.js';

/** Entries per kit and round. */
const ROUND_ENTRIES = 200;
const PACED_ENTRIES = 100;
/** A person types about five keys a second. */
const KEY_DELAY_MS = 200;
const TIMEOUT_ENTRIES = 100;
const GOAL_ENTRIES_PER_SECOND = 10_000;

/** Runs `count` entries of `entry` through `kit`; every one must end as `expect` says (a number measured over wrong outcomes means nothing). */
async function entries(kit: TestKeypad, count: number, entry: TestEntry, expect: 'result' | 'ENTRY_TIMEOUT'): Promise<void> {
  for (let i = 0; i < count; i++) {
    kit.device.nextEntry(entry);
    const outcome = await kit.run(kit.keypad.readCard({ timeoutSeconds: 60 })).then(() => 'result', (error: { code?: string }) => error.code ?? String(error));
    if (outcome !== expect) throw new Error(`test-keypad bench: entry ${i} ended ${outcome}, expected ${expect}`);
  }
}

/** Virtual seconds per wall second over `count` entries of `entry` on virtual time. */
async function timesRealTime(entry: TestEntry, count: number, expect: 'result' | 'ENTRY_TIMEOUT'): Promise<number> {
  const kit = await createTestKeypad();
  try {
    const virtualStart = kit.now();
    const start = process.hrtime.bigint();
    await entries(kit, count, entry, expect);
    const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    return (kit.now() - virtualStart) / 1000 / wallSeconds;
  } finally {
    await kit.close();
  }
}

export const testKeypadCase: BenchCase = {
  name: 'test-keypad',
  async run({ repetitions, log }) {
    log(`test-keypad: ${ROUND_ENTRIES} visa entries per kit and round on virtual and on real time, median of ${repetitions}`);
    const virtualKit = await createTestKeypad({ time: 'virtual' });
    const realKit = await createTestKeypad({ time: 'real' });
    let cpuEntries = 0;
    let cpuTotal = 0;
    let timings;
    try {
      timings = await timeInRounds(repetitions, {
        virtual: async () => {
          const cpu = process.cpuUsage();
          await entries(virtualKit, ROUND_ENTRIES, { card: 'visa' }, 'result');
          const used = process.cpuUsage(cpu);
          cpuTotal += used.user + used.system;
          cpuEntries += ROUND_ENTRIES;
        },
        real: () => entries(realKit, ROUND_ENTRIES, { card: 'visa' }, 'result'),
      });
    } finally {
      await virtualKit.close();
      await realKit.close();
    }
    const virtualRate = ROUND_ENTRIES / median(timings.virtual);
    const realRate = ROUND_ENTRIES / median(timings.real);
    const cpuMsPerEntry = cpuTotal / 1000 / cpuEntries;
    log(`test-keypad: ${virtualRate.toFixed(0)} entries/s on virtual time (${cpuMsPerEntry.toFixed(2)} ms CPU per entry, `
      + `${(1000 / cpuMsPerEntry).toFixed(0)} entries per CPU second); goal ${GOAL_ENTRIES_PER_SECOND}: `
      + `${virtualRate >= GOAL_ENTRIES_PER_SECOND ? 'met' : 'NOT met'}`);

    const paced = await timesRealTime({ card: 'visa', keyDelayMs: KEY_DELAY_MS }, PACED_ENTRIES, 'result');
    const timeouts = await timesRealTime('timeout', TIMEOUT_ENTRIES, 'ENTRY_TIMEOUT');
    return [
      { name: 'testing kit entries, real time', value: realRate, unit: 'entries/s', baseline: null, ratio: null },
      {
        name: 'testing kit entries, virtual time', value: virtualRate, unit: 'entries/s', baseline: 'testing kit entries, real time',
        ratio: medianSpeedRatio(timings.virtual, timings.real),
      },
      {
        name: `testing kit entries typed at ${KEY_DELAY_MS} ms a key, virtual vs wall time`, value: paced, unit: '× real time',
        baseline: 'real time', ratio: paced,
      },
      { name: 'testing kit 60 s entry timeouts, virtual vs wall time', value: timeouts, unit: '× real time', baseline: 'real time', ratio: timeouts },
    ] satisfies BenchRecord[];
  },
};
