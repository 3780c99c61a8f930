import { describe, expect, it } from 'vitest';
import { SteppingClock } from '../../testing/stepping-clock.js';

describe('SteppingClock', () => {
  it('fires timers one at a time in due order, with now() at each due time', () => {
    const clock = new SteppingClock();
    const log: string[] = [];
    clock.setTimeout(() => {
      log.push(`a@${clock.now()}`);
      clock.setTimeout(() => log.push(`c@${clock.now()}`), 5); // scheduled from a callback: due at 15
    }, 10);
    clock.setTimeout(() => log.push(`b@${clock.now()}`), 20);
    const cancelled = clock.setTimeout(() => log.push('never'), 12);
    clock.clearTimeout(cancelled);
    while (clock.fireNext(100));
    expect(log).toEqual(['a@10', 'c@15', 'b@20']);
  });

  it('fires nothing past the limit and reports the next due time', () => {
    const clock = new SteppingClock(1000);
    clock.setTimeout(() => {}, 250);
    expect(clock.fireNext(1249)).toBe(false);
    expect(clock.nextDueAt()).toBe(1250);
    clock.setNow(1249);
    expect(clock.now()).toBe(1249);
    expect(clock.fireNext(1250)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });
});
