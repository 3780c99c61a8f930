/**
 * The shared entry statechart's CPU per event on each end (bench/entry-statechart-workload.ts), against the same
 * number of events through a trivial xstate machine in the same rounds: what the statechart costs beyond xstate's
 * own floor. bench/entry-statechart-cost.ts is the finer tool (batches, cheapest batch) for profiling.
 */
import { driverEntry, entryReports, keypadEntry, KEYPAD_EVENTS, trivialXstateEntry } from '../entry-statechart-workload.js';
import { median, medianSpeedRatio, timeInRounds, type BenchCase, type BenchRecord } from '../record.js';

const ENTRIES = 300;

export const entryStatechartCase: BenchCase = {
  name: 'entry-statechart',
  async run({ repetitions, log }) {
    const reports = await entryReports();
    const keypadEvents = ENTRIES * KEYPAD_EVENTS;
    const driverEvents = ENTRIES * reports.length;
    // The baseline gets as many events as each side, so each ratio compares time per event.
    const timings = await timeInRounds(repetitions, {
      keypad: async () => { for (let i = 0; i < ENTRIES; i++) await keypadEntry(); },
      trivialForKeypad: () => { for (let i = 0; i < ENTRIES; i++) trivialXstateEntry(KEYPAD_EVENTS); },
      driver: async () => { for (let i = 0; i < ENTRIES; i++) await driverEntry(reports); },
      trivialForDriver: () => { for (let i = 0; i < ENTRIES; i++) trivialXstateEntry(reports.length); },
    });
    const us = (seconds: number[], events: number) => (median(seconds) * 1e6) / events;
    const keypad = us(timings.keypad, keypadEvents);
    const driver = us(timings.driver, driverEvents);
    const trivial = us(timings.trivialForKeypad, keypadEvents);
    log(`entry-statechart: keypad ${keypad.toFixed(2)} µs per event (${KEYPAD_EVENTS} per entry), driver ${driver.toFixed(2)} µs per report `
      + `(${reports.length} per entry), trivial xstate ${trivial.toFixed(2)} µs per event`);
    return [
      { name: 'trivial xstate transition', value: trivial, unit: 'µs/event', baseline: null, ratio: null },
      {
        name: 'entry statechart per key, keypad vs trivial xstate transition', value: keypad, unit: 'µs/event',
        baseline: 'trivial xstate transition', ratio: medianSpeedRatio(timings.keypad, timings.trivialForKeypad),
      },
      {
        name: 'entry statechart per report, driver vs trivial xstate transition', value: driver, unit: 'µs/event',
        baseline: 'trivial xstate transition', ratio: medianSpeedRatio(timings.driver, timings.trivialForDriver),
      },
    ] satisfies BenchRecord[];
  },
};
