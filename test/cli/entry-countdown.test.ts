/**
 * The CLI's entry countdown on virtual time (a SteppingClock): it shows the keypad's figure at once, ticks at each
 * whole second after the moment it was given, re-bases on every new figure, stops at 0 and on stop(), and a late
 * timer costs no drift because each figure is computed from the base time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryCountdown } from '../../cli/entry-countdown.js';
import { SteppingClock } from '../../testing/index.js';

function countdownOn(clock: SteppingClock): { countdown: EntryCountdown; ticks: [number, number][] } {
  const ticks: [number, number][] = [];
  const countdown = new EntryCountdown((secondsLeft) => ticks.push([clock.now(), secondsLeft]), clock);
  return { countdown, ticks };
}

/** Fires every timer due by `until` (virtual ms), one at a time at its own due time. */
function runUntil(clock: SteppingClock, until: number): void {
  while (clock.fireNext(until));
  clock.setNow(until);
}

describe('EntryCountdown', () => {
  it('shows the figure at once, then one less at each whole second, and stops at 0', () => {
    const clock = new SteppingClock(1_000);
    const { countdown, ticks } = countdownOn(clock);
    countdown.rebase(3);
    runUntil(clock, 60_000);
    expect(ticks).toEqual([[1_000, 3], [2_000, 2], [3_000, 1], [4_000, 0]]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('re-bases on a new figure as of the moment it is given (a key resets the timeout mid-second)', () => {
    const clock = new SteppingClock(0);
    const { countdown, ticks } = countdownOn(clock);
    countdown.rebase(60);
    runUntil(clock, 2_500);
    countdown.rebase(60); // a key 2.5 s in
    runUntil(clock, 4_600);
    expect(ticks).toEqual([[0, 60], [1_000, 59], [2_000, 58], [2_500, 60], [3_500, 59], [4_500, 58]]);
    expect(clock.pendingTimers).toBe(1);
  });

  it('stop() ends the ticking: no timer left, no more figures', () => {
    const clock = new SteppingClock(0);
    const { countdown, ticks } = countdownOn(clock);
    countdown.rebase(30);
    runUntil(clock, 1_000);
    countdown.stop();
    expect(clock.pendingTimers).toBe(0);
    runUntil(clock, 10_000);
    expect(ticks).toEqual([[0, 30], [1_000, 29]]);
  });

  it('a 0 from the keypad is shown once and schedules nothing', () => {
    const clock = new SteppingClock(0);
    const { countdown, ticks } = countdownOn(clock);
    countdown.rebase(0);
    expect(ticks).toEqual([[0, 0]]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never drifts: however late each timer fires, the figure is the base minus whole seconds since the base', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.integer({ min: 0, max: 2_500 }), { minLength: 1, maxLength: 40 }), (start, delays) => {
      // A clock whose timers fire `delay` ms late, in turn: what a loaded machine does.
      const clock = new SteppingClock(0);
      const late = [...delays];
      const lateClock = {
        now: () => clock.now(),
        setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms + (late.shift() ?? 0)),
        clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
      };
      const figures: [number, number][] = [];
      new EntryCountdown((s) => figures.push([clock.now(), s]), lateClock).rebase(start);
      runUntil(clock, 400_000 + 2_500 * delays.length);
      for (const [at, shown] of figures) expect(shown).toBe(Math.max(0, start - Math.floor(at / 1000)));
      expect(figures.at(-1)?.[1]).toBe(0);
      // Strictly falling: a late timer may skip a figure, never show one twice.
      for (let i = 1; i < figures.length; i++) expect(figures[i]![1]).toBeLessThan(figures[i - 1]![1]);
    }), { numRuns: 200 });
  });
});
