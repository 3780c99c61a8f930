/**
 * The popup's countdown (demo-store/public/js/entry-countdown.js, a browser module with no imports) on virtual
 * time (vitest's fake timers; its clock injected): the figure at once, one less at each whole second after the
 * progress event, re-based on each new one, stopped at 0 and by stop(), no timer left behind.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { publicRoot } from '../../demo-store/public-root.js';

interface EntryCountdown {
  rebase(secondsLeft: number): void;
  stop(): void;
}
interface CountdownModule {
  EntryCountdown: new (onTick: (secondsLeft: number) => void, now?: () => number) => EntryCountdown;
}
const { EntryCountdown } = (await import(pathToFileURL(join(publicRoot(), 'js', 'entry-countdown.js')).href)) as CountdownModule;

beforeEach(() => void vi.useFakeTimers({ now: 0 }));
afterEach(() => void vi.useRealTimers());

function countdown(): { counter: EntryCountdown; ticks: [number, number][] } {
  const ticks: [number, number][] = [];
  const counter = new EntryCountdown((s) => ticks.push([Date.now(), s]), () => Date.now());
  return { counter, ticks };
}

describe('the popup\'s EntryCountdown', () => {
  it('shows the figure at once, then one less at each whole second, and stops at 0', () => {
    const { counter, ticks } = countdown();
    counter.rebase(3);
    vi.advanceTimersByTime(60_000);
    expect(ticks).toEqual([[0, 3], [1_000, 2], [2_000, 1], [3_000, 0]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-bases on a new figure as of the moment it arrives', () => {
    const { counter, ticks } = countdown();
    counter.rebase(60);
    vi.advanceTimersByTime(2_500);
    counter.rebase(60);
    vi.advanceTimersByTime(2_100);
    expect(ticks).toEqual([[0, 60], [1_000, 59], [2_000, 58], [2_500, 60], [3_500, 59], [4_500, 58]]);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('stop() leaves no timer and no further figure', () => {
    const { counter, ticks } = countdown();
    counter.rebase(30);
    vi.advanceTimersByTime(1_000);
    counter.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(ticks).toEqual([[0, 30], [1_000, 29]]);
  });

  it('computes each figure from the base time: a timer that fires late skips a figure, never repeats one', () => {
    const ticks: [number, number][] = [];
    let now = 0;
    new EntryCountdown((s) => ticks.push([now, s]), () => now).rebase(10);
    now = 2_700; // the page was busy: the 1 s timer runs at 2.7 s
    vi.advanceTimersByTime(1_000);
    now = 3_000;
    vi.advanceTimersByTime(300); // the next one is due at the next whole second after the base
    expect(ticks).toEqual([[0, 10], [2_700, 8], [3_000, 7]]);
  });
});
