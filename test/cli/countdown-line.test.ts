/**
 * The terminal status line on virtual time and a recording stream: each progress event redraws it in place
 * (`\r` + erase line), the seconds left move each second in between, a state that asks for its own line gets
 * one, and end() stops the ticking and ends the line. Only counts ever reach it, never digits.
 */
import { describe, expect, it } from 'vitest';
import { CountdownLine, type CountdownLineOptions } from '../../cli/countdown-line.js';
import type { EntryProgress } from '../../host-driver/index.js';
import { SteppingClock } from '../../testing/index.js';

const REDRAW = '\r\x1b[2K';

function progress(change: Partial<EntryProgress>): EntryProgress {
  return { sessionId: 1, state: 'PAN', field: 'PAN', digits: 0, secondsLeft: 60, deadline: null, notice: 'NONE', ...change };
}

function lineOn(clock: SteppingClock, options: Partial<CountdownLineOptions> = {}): { line: CountdownLine; written: string[] } {
  const written: string[] = [];
  const line = new CountdownLine({
    stream: { write: (text) => written.push(text) },
    render: (p, s) => `${p.state.toLowerCase()} ${'●'.repeat(p.digits)} ${s}s`,
    clock,
    ...options,
  });
  return { line, written };
}

function runUntil(clock: SteppingClock, until: number): void {
  while (clock.fireNext(until));
  clock.setNow(until);
}

describe('CountdownLine', () => {
  it('redraws the line at each progress and each second between them, from the figure of the last progress', () => {
    const clock = new SteppingClock(0);
    const { line, written } = lineOn(clock);
    line.update(progress({ digits: 0, secondsLeft: 60 }));
    runUntil(clock, 2_000);
    line.update(progress({ digits: 1, secondsLeft: 60 })); // a key resets the keypad's timeout
    runUntil(clock, 3_000);
    expect(written).toEqual([`${REDRAW}pan  60s`, `${REDRAW}pan  59s`, `${REDRAW}pan  58s`, `${REDRAW}pan ● 60s`, `${REDRAW}pan ● 59s`]);
  });

  it('counts down to 0 with the keypad idle, then writes nothing more', () => {
    const clock = new SteppingClock(0);
    const { line, written } = lineOn(clock);
    line.update(progress({ secondsLeft: 2 }));
    runUntil(clock, 120_000);
    expect(written).toEqual([`${REDRAW}pan  2s`, `${REDRAW}pan  1s`, `${REDRAW}pan  0s`]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not count down once the keypad stops waiting for keys (processing, done)', () => {
    const clock = new SteppingClock(0);
    const { line, written } = lineOn(clock);
    line.update(progress({ state: 'EXPIRY', field: 'EXPIRY', digits: 4, secondsLeft: 60 }));
    line.update(progress({ state: 'PROCESSING', field: 'NONE', digits: 0, secondsLeft: 60 }));
    expect(clock.pendingTimers).toBe(0);
    runUntil(clock, 5_000);
    expect(written).toEqual([`${REDRAW}expiry ●●●● 60s`, `${REDRAW}processing  60s`]);
  });

  it('does not rewrite a line that did not change', () => {
    const clock = new SteppingClock(0);
    const { line, written } = lineOn(clock);
    line.update(progress({ digits: 2 }));
    line.update(progress({ digits: 2 })); // the same figures again (e.g. a STATUS after the KEY)
    expect(written).toEqual([`${REDRAW}pan ●● 60s`]);
  });

  it('starts a line of its own where startsNewLine says so, and keeps counting on it', () => {
    const clock = new SteppingClock(0);
    const { line, written } = lineOn(clock, { startsNewLine: (previous, next) => previous.state !== next.state });
    line.update(progress({ digits: 16 }));
    line.update(progress({ state: 'EXPIRY', field: 'EXPIRY', digits: 0 }));
    runUntil(clock, 1_000);
    expect(written).toEqual([`${REDRAW}pan ●●●●●●●●●●●●●●●● 60s`, '\nexpiry  60s', `${REDRAW}expiry  59s`]);
  });

  it('end() stops the ticking and ends the open line once; without a line it writes nothing', () => {
    const clock = new SteppingClock(0);
    const { line, written } = lineOn(clock);
    line.end();
    expect(written).toEqual([]);
    line.update(progress({}));
    line.end();
    line.end();
    expect(clock.pendingTimers).toBe(0);
    runUntil(clock, 5_000);
    expect(written).toEqual([`${REDRAW}pan  60s`, '\n']);
  });
});
