import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  altersBytes,
  FaultSpecError,
  formatFaultSpec,
  NO_FAULTS,
  parseFaultSpec,
  toFaultSpec,
  type FaultSpec,
} from '../../device-sim/faults/fault-spec.js';

function codeOf(spec: string): string {
  try {
    parseFaultSpec(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(FaultSpecError);
    return (error as FaultSpecError).code;
  }
  throw new Error(`"${spec}" was accepted`);
}

describe('parseFaultSpec', () => {
  it('parses every fault of the documented example', () => {
    expect(parseFaultSpec('drop=0.01,corrupt=0.01,duplicate=0.005,delay=20ms,seed=42,silent,busy,exhaust-key,vanish-after=5s')).toEqual({
      drop: 0.01,
      corrupt: 0.01,
      duplicate: 0.005,
      delayMs: 20,
      seed: 42,
      silent: true,
      busy: true,
      exhaustKey: true,
      vanishAfterMs: 5000,
    } satisfies FaultSpec);
  });

  it('leaves unnamed faults off, accepts percentages, fractional seconds, spaces and "none"', () => {
    expect(parseFaultSpec(' drop = 1% , delay=1.5s ')).toEqual({ ...NO_FAULTS, drop: 0.01, delayMs: 1500 });
    expect(parseFaultSpec('busy')).toEqual({ ...NO_FAULTS, busy: true });
    expect(parseFaultSpec('corrupt=1,duplicate=0')).toEqual({ ...NO_FAULTS, corrupt: 1 });
    expect(parseFaultSpec('none')).toEqual(NO_FAULTS);
  });

  it.each([
    ['', 'EMPTY'],
    ['  ', 'EMPTY'],
    ['drop=0.1,', 'UNKNOWN_FAULT'],
    ['lag=20ms', 'UNKNOWN_FAULT'],
    ['Drop=0.1', 'UNKNOWN_FAULT'],
    ['drop=0.1,drop=0.2', 'DUPLICATE_FAULT'],
    ['silent,silent', 'DUPLICATE_FAULT'],
    ['drop', 'MISSING_VALUE'],
    ['delay=', 'MISSING_VALUE'],
    ['busy=1', 'UNEXPECTED_VALUE'],
    ['silent=true', 'UNEXPECTED_VALUE'],
    ['drop=1.5', 'BAD_RATE'],
    ['drop=-0.1', 'BAD_RATE'],
    ['drop=150%', 'BAD_RATE'],
    ['corrupt=abc', 'BAD_RATE'],
    ['duplicate=NaN', 'BAD_RATE'],
    ['delay=20', 'BAD_DURATION'],
    ['delay=-5ms', 'BAD_DURATION'],
    ['delay=5min', 'BAD_DURATION'],
    ['vanish-after=soon', 'BAD_DURATION'],
    ['seed=-1', 'BAD_SEED'],
    ['seed=4294967296', 'BAD_SEED'],
    ['seed=1.5', 'BAD_SEED'],
  ])('rejects %j with %s', (spec, code) => {
    expect(codeOf(spec)).toBe(code);
  });

  it('round-trips through formatFaultSpec', () => {
    const rate = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }));
    const spec: fc.Arbitrary<FaultSpec> = fc.record({
      drop: rate,
      corrupt: rate,
      duplicate: rate,
      delayMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60_000 })),
      seed: fc.nat({ max: 0xffffffff }),
      silent: fc.boolean(),
      busy: fc.boolean(),
      exhaustKey: fc.boolean(),
      vanishAfterMs: fc.option(fc.integer({ min: 0, max: 600_000 })),
    });
    fc.assert(
      fc.property(spec, (s) => {
        expect(parseFaultSpec(formatFaultSpec(s))).toEqual(s);
      }),
    );
  });

  it('never throws anything but a FaultSpecError', () => {
    const items = fc.array(fc.oneof(fc.string(), fc.constantFrom('drop=', 'delay=', 'seed=', 'silent', 'vanish-after=')), { maxLength: 4 });
    fc.assert(
      fc.property(items, fc.string(), (parts, tail) => {
        try {
          parseFaultSpec(parts.join(',') + tail);
        } catch (error) {
          expect(error).toBeInstanceOf(FaultSpecError);
        }
      }),
    );
  });
});

describe('toFaultSpec / altersBytes', () => {
  it('fills a partial spec with "no fault" and parses strings', () => {
    expect(toFaultSpec({ drop: 0.5 })).toEqual({ ...NO_FAULTS, drop: 0.5 });
    expect(toFaultSpec('silent')).toEqual({ ...NO_FAULTS, silent: true });
    expect(toFaultSpec(undefined)).toEqual(NO_FAULTS);
  });

  it('tells byte faults from behaviours the simulator plays', () => {
    expect(altersBytes(parseFaultSpec('busy,exhaust-key,vanish-after=1s,seed=9'))).toBe(false);
    for (const spec of ['drop=0.1', 'corrupt=0.1', 'duplicate=0.1', 'delay=1ms', 'silent']) {
      expect(altersBytes(parseFaultSpec(spec))).toBe(true);
    }
  });
});
