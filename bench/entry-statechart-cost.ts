/**
 * CPU per event of the entry statechart on each end, for profiling (not part of `npm test` nor `npm run bench`):
 *   node --import tsx bench/entry-statechart-cost.ts [--rounds N] [--entries N]
 * Keypad: a fresh EntrySession per entry, START plus a full visa entry (16 digits, ENTER, 4 expiry digits, ENTER)
 * and its encryption (a resolved stub). Driver: a fresh CardEntry per entry fed the 27 reports such an entry makes
 * (recorded once from the real keypad session). Beside them, the same number of events through a trivial xstate
 * machine (one state, one self-transition) and a plain function call loop, from the same run.
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { driverEntry, entryReports, keypadEntry, KEYPAD_EVENTS, trivialXstateEntry } from './entry-statechart-workload.js';
import { median } from './record.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '7' }, entries: { type: 'string', default: '2000' }, only: { type: 'string', multiple: true } },
});
const ROUNDS = Number(values.rounds);
const ENTRIES = Number(values.entries);
const BATCH = 20;

function trivialXstate(events: number): void {
  trivialXstateEntry(events);
}

let sink = 0;
function plainCalls(events: number): void {
  const f = (x: number) => x * 2 + 1;
  for (let i = 0; i < events; i++) sink = f(sink) & 0xffff;
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function cpuOf(run: () => Promise<void> | void): Promise<number> {
  const start = cpuMicros();
  await run();
  return cpuMicros() - start;
}

async function main(): Promise<void> {
  const reports = await entryReports();
  const driverEvents = reports.length;

  const contenders = {
    keypad: [async () => { for (let i = 0; i < BATCH; i++) await keypadEntry(); }, BATCH * KEYPAD_EVENTS],
    driver: [async () => { for (let i = 0; i < BATCH; i++) await driverEntry(reports); }, BATCH * driverEvents],
    /** One actor per entry like the sides, with as many events as a keypad entry. */
    trivialXstate: [() => { for (let i = 0; i < BATCH; i++) trivialXstate(KEYPAD_EVENTS); }, BATCH * KEYPAD_EVENTS],
    plainCalls: [() => plainCalls(BATCH * KEYPAD_EVENTS), BATCH * KEYPAD_EVENTS],
  } as const satisfies Record<string, readonly [() => Promise<void> | void, number]>;
  type Name = keyof typeof contenders;
  const names = (Object.keys(contenders) as Name[]).filter((name) => values.only === undefined || values.only.includes(name));
  // Small batches, round-robin: on a loaded machine the CPU time of the same work swings several-fold within
  // seconds, and fine interleaving lets every contender see the same conditions (compare the ratios).
  const batchesPerRound = Math.max(1, Math.round(ENTRIES / BATCH));
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  /** The cheapest batch: the nearest this run gets to an idle machine. */
  const best = Object.fromEntries(names.map((name) => [name, Infinity])) as Record<Name, number>;
  for (let round = -2; round < ROUNDS; round++) {
    const used = Object.fromEntries(names.map((name) => [name, 0])) as Record<Name, number>;
    for (let batch = 0; batch < batchesPerRound; batch++) {
      for (const name of names) {
        const micros = await cpuOf(contenders[name][0]);
        used[name] += micros;
        if (round >= 0) best[name] = Math.min(best[name], micros / contenders[name][1]);
      }
    }
    if (round >= 0) for (const name of names) samples[name].push(used[name] / (contenders[name][1] * batchesPerRound));
  }
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`entry statechart cost, median of ${ROUNDS} rounds of ${batchesPerRound * BATCH} entries in batches of ${BATCH} (load average ${load})`);
  console.log(`  keypad: ${KEYPAD_EVENTS} events per entry, driver: ${driverEvents} reports per entry`);
  const trivial = names.includes('trivialXstate') ? median(samples.trivialXstate) : undefined;
  for (const name of names) {
    const us = median(samples[name]);
    const events = name === 'driver' ? driverEvents : KEYPAD_EVENTS;
    const ratio = trivial === undefined ? '' : `, ${(us / trivial).toFixed(2)}x a trivial xstate event`;
    console.log(`  ${name.padEnd(14)} ${us.toFixed(3).padStart(8)} µs CPU per event  (${(us * events).toFixed(1)} µs per entry${ratio}); `
      + `cheapest batch ${best[name].toFixed(3)} µs per event`);
  }
  if (sink < 0) console.log(sink);
}

await main();
