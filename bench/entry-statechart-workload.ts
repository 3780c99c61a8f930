/**
 * The entry statechart's work for one entry on each end, for bench/entry-statechart-cost.ts and the
 * `entry-statechart` bench case. Keypad: a fresh EntrySession, START plus a full visa entry (16 digits, ENTER,
 * 4 expiry digits, ENTER) and its encryption (a resolved stub). Driver: a fresh CardEntry fed the reports such an
 * entry makes (recorded once from the real keypad session). Baseline: as many events through a trivial xstate
 * machine (one state, one self-transition), one actor per entry as the sides have.
 */
import { createActor, setup } from 'xstate';
import { EntrySession } from '../device-sim/firmware/entry-session.js';
import type { EncryptCardOutput, KeypadKey } from '../device-sim/entry/index.js';
import { CardEntry } from '../host-driver/card-entry.js';
import type { DeviceMessage } from '../protocol/index.js';

const KEYS: KeypadKey[] = [...'4111111111111111', 'enter', ...'1230', 'enter'] as KeypadKey[];
/** start + the keys + encryptCard's done event. */
export const KEYPAD_EVENTS = 1 + KEYS.length + 1;
const STUB: EncryptCardOutput = { keySerialNumber: new Uint8Array(12), encryptedBlock: new Uint8Array(32) };
const TODAY = { year: 2026, month: 1 };

const noop = () => {};
/** The cheapest clock that works: no session timer is due within an entry. */
const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: noop };

/** One keypad entry; resolves when the session ended. With `record`, collects what it reported as the device sends it. */
export function keypadEntry(record?: DeviceMessage[]): Promise<void> {
  const sessionId = 7;
  return new Promise((resolve, reject) => {
    const session = new EntrySession({ sessionId, expiryRequired: true, today: TODAY }, clock, {
      key: (report) => record?.push({ type: 'KEY', sessionId, ...report }),
      state: (report, secondsLeft) => record?.push({ type: 'STATUS', sessionId, secondsLeft, ...report }),
      changed: noop,
      end: (output) => {
        if (output.outcome !== 'done') {
          reject(new Error(`entry ended ${output.outcome}`));
          return;
        }
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

/** The reports of one visa entry, as the keypad sends them (27). */
export async function entryReports(): Promise<DeviceMessage[]> {
  const reports: DeviceMessage[] = [];
  await keypadEntry(reports);
  return reports;
}

const device = () => ({
  address: 'bench', model: 'SIM', firmwareVersion: '1', serialNumber: 'S1', keySetId: '00', protocolVersion: 1, acceptedBrands: [],
});

/** One driver entry fed `reports`; resolves with its result. */
export async function driverEntry(reports: readonly DeviceMessage[]): Promise<void> {
  const entry = new CardEntry({
    sessionId: 7, timeoutSeconds: 60, reveal: 3, expiryRequired: true, clock, device, onProgress: noop, probe: noop,
  });
  for (const report of reports) entry.handle(report);
  const outcome = await entry.outcome;
  if (!outcome.ok) throw new Error(`driver entry failed: ${outcome.error.message}`);
}

const trivialMachine = setup({ types: { events: {} as { type: 'tick' } } }).createMachine({ on: { tick: {} } });
const TICK = { type: 'tick' } as const;

/** `events` events through a fresh trivial xstate actor. */
export function trivialXstateEntry(events: number): void {
  const actor = createActor(trivialMachine).start();
  for (let i = 0; i < events; i++) actor.send(TICK);
  actor.stop();
}
