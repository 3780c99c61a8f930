/**
 * Key press on the keypad to its ● in the browser (issue #16): the demo store's card-entry popup in headless
 * Chromium, keys typed on a virtual keypad on a real PTY at a person's pace, each timed from the press to the end
 * of the frame that painted its ● (bench/latency/page-probe.js says why that frame). The floor, halfway between
 * keys: the same bridge writing a bare event that a second copy of the popup draws (no keypad, PTY or driver).
 * Goal: p99 key-to-dot at most 50 ms and at most 2× the floor's p99.
 */
import { availableParallelism, loadavg } from 'node:os';
import { runBrowserLatency } from '../latency/latency-harness.js';
import type { BenchCase, BenchRecord } from '../record.js';
import { startIdleProbe } from '../scale/idle-probe.js';
import { percentile } from '../scale/percentile.js';

/** 12 entries × 20 digit keys = 240 keys (p99 = the 3rd slowest); as many bare events. About 45 s on an idle 2-core machine. */
const ENTRIES = 12;
/** A person's pace: a key every 80–120 ms (uniform), so no two keys share a report or a frame. */
const GAP_MS = { min: 80, max: 120 };
const GOAL_P99_MS = 50;
const GOAL_FLOOR_FACTOR = 2;

export const browserLatencyCase: BenchCase = {
  name: 'browser-latency',
  async run({ log }) {
    log(`browser-latency: ${ENTRIES} entries (${ENTRIES * 20} keys, a key every ${GAP_MS.min}–${GAP_MS.max} ms) and a bare event `
      + `halfway between keys; key press / bridge write → painted ● in headless Chromium`);
    // The machine's own scheduling stalls meanwhile: on a shared machine they, not the code, make the p99.
    const probe = await startIdleProbe();
    const report = await runBrowserLatency({ entries: ENTRIES, gapMs: GAP_MS, log }).catch(async (error: unknown) => {
      await probe.stop().catch(() => {});
      throw error;
    });
    const noise = await probe.stop();
    const stats = (samples: number[]) => ({ p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples) });
    const key = stats(report.keyToDot.map((s) => s.toDrawMs));
    const keyToPage = stats(report.keyToDot.map((s) => s.toPageMs));
    const floor = stats(report.floor.map((s) => s.toDrawMs));
    const floorToPage = stats(report.floor.map((s) => s.toPageMs));
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    log(`  key → ● p50 ${ms(key.p50)}, p99 ${ms(key.p99)}, max ${ms(key.max)} (to the DOM change: p50 ${ms(keyToPage.p50)}, p99 ${ms(keyToPage.p99)})`);
    log(`  bare SSE → ● p50 ${ms(floor.p50)}, p99 ${ms(floor.p99)}, max ${ms(floor.max)} (to the DOM change: p50 ${ms(floorToPage.p50)}, p99 ${ms(floorToPage.p99)})`);
    const met = key.p99 <= GOAL_P99_MS && key.p99 <= GOAL_FLOOR_FACTOR * floor.p99;
    log(`browser-latency goal: p99 key → ● at most ${GOAL_P99_MS} ms and at most ${GOAL_FLOOR_FACTOR}× the floor: `
      + `${met ? 'met' : 'NOT met'} (${ms(key.p99)}, ${(key.p99 / floor.p99).toFixed(2)}× the floor's ${ms(floor.p99)}; `
      + `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores; an idle process beside the run was held up to `
      + `${ms(noise.delayMaxMs)}, p99 ${ms(noise.delayP99Ms)}: judge the 50 ms on a quiet machine)`);

    const floorName = 'browser bare SSE-to-draw p99 (floor)';
    const records: BenchRecord[] = [
      { name: 'browser bare SSE-to-draw p50', value: floor.p50, unit: 'ms', baseline: null, ratio: null },
      { name: floorName, value: floor.p99, unit: 'ms', baseline: null, ratio: null },
      { name: 'browser key-to-dot p50', value: key.p50, unit: 'ms', baseline: 'browser bare SSE-to-draw p50', ratio: floor.p50 / key.p50 },
      { name: 'browser key-to-dot p99', value: key.p99, unit: 'ms', baseline: floorName, ratio: floor.p99 / key.p99 },
      { name: 'browser-latency: idle process beside it, delay p99', value: noise.delayP99Ms, unit: 'ms', baseline: null, ratio: null },
    ];
    return records;
  },
};
