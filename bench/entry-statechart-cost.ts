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
import { createActor, setup, SimulatedClock } from 'xstate';
import { EntrySession } from '../device-sim/firmware/entry-session.js';
import type { EncryptCardOutput, KeypadKey } from '../device-sim/entry/index.js';
import { CardEntry } from '../host-driver/card-entry.js';
import type { DeviceMessage } from '../protocol/index.js';
import { median } from './record.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, entries: { type: 'string', default: '2000' } } });
const ROUNDS = Number(values.rounds);
const ENTRIES = Number(values.entries);

const VISA = '4111111111111111';
const EXPIRY = '1230';
const KEYS: KeypadKey[] = [...VISA, 'enter', ...EXPIRY, 'enter'] as KeypadKey[];
/** start + the keys + encryptCard's done event. */
const KEYPAD_EVENTS = 1 + KEYS.length + 1;
const STUB: EncryptCardOutput = { keySerialNumber: new Uint8Array(12), encryptedBlock: new Uint8Array(32) };
const TODAY = { year: 2026, month: 1 };

const noop = () => {};
/** The cheapest clock that works: the sessions' timers are never due within an entry. */
const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: noop };

/** One keypad entry; resolves when the session ended. Optionally records what it reported, as the device would send it. */
function keypadEntry(record?: DeviceMessage[]): Promise<void> {
  const sessionId = 7;
  return new Promise((resolve) => {
    const session = new EntrySession({ sessionId, expiryRequired: true, today: TODAY }, clock, {
      key: (report) => record?.push({ type: 'KEY', sessionId, ...report }),
      state: (report, secondsLeft) => record?.push({ type: 'STATUS', sessionId, secondsLeft, ...report }),
      changed: noop,
      end: (output) => {
        if (output.outcome !== 'done') throw new Error(`entry ended ${output.outcome}`);
        const { result } = output;
        record?.push({ type: 'RESULT', sessionId, brand: result.brand, last: result.last, keySerialNumber: result.keySerialNumber, encryptedBlock: result.encryptedBlock });
        resolve();
      },
      encrypt: () => Promise.resolve(STUB),
    });
    session.start();
    for (const key of KEYS) session.press(key);
  });
}

const device = () => ({
  address: 'bench', model: 'SIM', firmwareVersion: '1', serialNumber: 'S1', keySetId: '00', protocolVersion: 1, acceptedBrands: [],
});

async function driverEntry(reports: readonly DeviceMessage[]): Promise<void> {
  const entry = new CardEntry({
    sessionId: 7, timeoutSeconds: 60, reveal: 3, expiryRequired: true, clock, device, onProgress: noop, probe: noop,
  });
  for (const report of reports) entry.handle(report);
  const outcome = await entry.outcome;
  if (!outcome.ok) throw new Error(`driver entry failed: ${outcome.error.message}`);
}

const trivialMachine = setup({ types: { events: {} as { type: 'tick' } } }).createMachine({ on: { tick: {} } });
function trivialXstate(events: number): void {
  const actor = createActor(trivialMachine).start();
  for (let i = 0; i < events; i++) actor.send({ type: 'tick' });
  actor.stop();
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

async function perEvent(run: () => Promise<void> | void, events: number): Promise<number> {
  const start = cpuMicros();
  await run();
  return (cpuMicros() - start) / events;
}

async function main(): Promise<void> {
  const reports: DeviceMessage[] = [];
  await keypadEntry(reports);
  const driverEvents = reports.length;

  const contenders = {
    keypad: [async () => { for (let i = 0; i < ENTRIES; i++) await keypadEntry(); }, ENTRIES * KEYPAD_EVENTS],
    driver: [async () => { for (let i = 0; i < ENTRIES; i++) await driverEntry(reports); }, ENTRIES * driverEvents],
    /** One actor per entry like the sides, with as many events as a keypad entry. */
    trivialXstate: [() => { for (let i = 0; i < ENTRIES; i++) trivialXstate(KEYPAD_EVENTS); }, ENTRIES * KEYPAD_EVENTS],
    plainCalls: [() => plainCalls(ENTRIES * KEYPAD_EVENTS), ENTRIES * KEYPAD_EVENTS],
  } as const satisfies Record<string, readonly [() => Promise<void> | void, number]>;
  type Name = keyof typeof contenders;
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let round = -2; round < ROUNDS; round++) {
    for (const name of Object.keys(contenders) as Name[]) {
      const [run, events] = contenders[name];
      const micros = await perEvent(run, events);
      if (round >= 0) samples[name].push(micros);
    }
  }
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`entry statechart cost, median of ${ROUNDS} rounds of ${ENTRIES} entries (load average ${load})`);
  console.log(`  keypad: ${KEYPAD_EVENTS} events per entry, driver: ${driverEvents} reports per entry`);
  for (const name of Object.keys(contenders) as Name[]) {
    const us = median(samples[name]);
    const events = name === 'driver' ? driverEvents : KEYPAD_EVENTS;
    console.log(`  ${name.padEnd(14)} ${us.toFixed(3).padStart(8)} µs CPU per event  (${(us * events).toFixed(1)} µs per entry)`);
  }
  if (sink < 0) console.log(sink);
}

await main();
