import fc from 'fast-check';
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

describe('SteppingClock against a plain model', () => {
  type Op = { kind: 'set'; ms: number; inner: number | null } | { kind: 'clear'; pick: number } | { kind: 'fire'; ahead: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), ms: fc.integer({ min: 0, max: 50 }), inner: fc.option(fc.integer({ min: 0, max: 20 })) }),
    fc.record({ kind: fc.constant('clear' as const), pick: fc.nat(40) }),
    fc.record({ kind: fc.constant('fire' as const), ahead: fc.integer({ min: 0, max: 60 }) }),
  );

  it('fires what a scan of every pending timer would (earliest due, first scheduled among equals), however they are set and cleared', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const clock = new SteppingClock();
      // The model: pending timers in scheduling order.
      const model: Array<{ handle: number; due: number; label: number }> = [];
      const handles: number[] = [];
      const fired: number[] = [];
      let labels = 0;
      const schedule = (ms: number, inner: number | null): void => {
        const label = labels++;
        const handle = clock.setTimeout(() => {
          fired.push(label);
          if (inner !== null) schedule(inner, null); // a timer set from a timer's callback
        }, ms);
        handles.push(handle);
        model.push({ handle, due: clock.now() + ms, label });
      };
      for (const o of ops) {
        if (o.kind === 'set') {
          schedule(o.ms, o.inner);
        } else if (o.kind === 'clear') {
          const handle = handles[o.pick % Math.max(1, handles.length)];
          if (handle === undefined) continue;
          clock.clearTimeout(handle);
          const i = model.findIndex((t) => t.handle === handle);
          if (i >= 0) model.splice(i, 1);
        } else {
          const limit = clock.now() + o.ahead;
          for (;;) {
            let pick = -1;
            for (let i = 0; i < model.length; i++) if (model[i]!.due <= limit && (pick < 0 || model[i]!.due < model[pick]!.due)) pick = i;
            const due = pick < 0 ? undefined : model[pick]!.due;
            const label = pick < 0 ? undefined : model.splice(pick, 1)[0]!.label;
            const before = fired.length;
            expect(clock.fireNext(limit)).toBe(pick >= 0);
            if (pick < 0) break;
            expect(fired[before]).toBe(label);
            expect(clock.now()).toBe(due);
          }
        }
        expect(clock.nextDueAt()).toBe(model.length === 0 ? undefined : Math.min(...model.map((t) => t.due)));
        expect(clock.pendingTimers).toBe(model.length);
      }
    }), { numRuns: 300 });
  });
});
