import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import { formatKeyScript, KeyScriptError, parseKeyScript, runKeyScript, type KeyScriptStep } from '../../device-sim/key-script.js';
import { KEYPAD_KEYS, type KeypadKey } from '../../device-sim/entry/keys.js';
import { maskExpiry, maskPan } from '../../device-sim/display.js';
import { findKeypadService, UnknownServiceError } from '../../device-sim/services.js';

const step: fc.Arbitrary<KeyScriptStep> = fc.oneof(
  fc.constantFrom(...KEYPAD_KEYS).map((key) => ({ kind: 'key' as const, key })),
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((ms) => ({ kind: 'wait' as const, ms })),
);

describe('key scripts', () => {
  it('parses digits, key tags and waits, ignoring whitespace', () => {
    expect(parseKeyScript('41 <bs>\n<clear><cancel><enter><wait:250>')).toEqual([
      { kind: 'key', key: '4' }, { kind: 'key', key: '1' }, { kind: 'key', key: 'backspace' }, { kind: 'key', key: 'clear' },
      { kind: 'key', key: 'cancel' }, { kind: 'key', key: 'enter' }, { kind: 'wait', ms: 250 },
    ]);
  });

  it('round-trips every script through format and parse', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      expect(parseKeyScript(formatKeyScript(steps))).toEqual(steps);
    }));
  });

  it.each([
    ['12x', 'UNEXPECTED_CHARACTER', 2],
    ['1<enter', 'UNCLOSED_TAG', 1],
    ['<ok>', 'UNKNOWN_TAG', 0],
    ['9<wait:-1>', 'BAD_WAIT', 1],
    ['<wait:1.5>', 'BAD_WAIT', 0],
  ])('rejects %s with %s at its position', (script, code, position) => {
    const error = (() => { try { parseKeyScript(script); } catch (e) { return e; } return undefined; })();
    expect(error).toBeInstanceOf(KeyScriptError);
    expect(error).toMatchObject({ code, position });
  });

  it('reads tag names in any case: <ENTER> is <enter>', () => {
    expect(parseKeyScript('<ENTER><Bs><CLEAR><Cancel><WAIT:5>')).toEqual(parseKeyScript('<enter><bs><clear><cancel><wait:5>'));
    fc.assert(fc.property(fc.array(step, { maxLength: 20 }), fc.boolean(), (steps, upper) => {
      const text = formatKeyScript(steps);
      expect(parseKeyScript(upper ? text.toUpperCase() : text)).toEqual(steps);
    }));
  });

  it('lists every valid key when it refuses an unknown one', () => {
    expect(() => parseKeyScript('<ok>')).toThrow('unknown key <ok> (known: <enter> <bs> <clear> <cancel> <wait:MS>) at column 1');
    expect(() => parseKeyScript('1x')).toThrow('unexpected "x" (digits and <enter> <bs> <clear> <cancel> <wait:MS>) at column 2');
  });

  it('waits on the injected clock between keys', async () => {
    const clock = new SimulatedClock();
    const typed: KeypadKey[] = [];
    const run = runKeyScript(parseKeyScript('1<wait:1000>2'), (k) => typed.push(k), clock);
    expect(typed).toEqual(['1']);
    clock.increment(999);
    expect(typed).toEqual(['1']);
    clock.increment(1);
    expect(typed).toEqual(['1', '2']);
    await run.finished;
  });

  it('stops before its next key when stopped', () => {
    const clock = new SimulatedClock();
    const typed: KeypadKey[] = [];
    const run = runKeyScript(parseKeyScript('1<wait:10>2'), (k) => typed.push(k), clock);
    run.stop();
    clock.increment(100);
    expect(typed).toEqual(['1']);
  });
});

describe('display masking and services', () => {
  it('shows dots in groups of four and only the revealed last digits', () => {
    expect(maskPan(6)).toBe('●●●● ●●');
    expect(maskPan(16, '111')).toBe('●●●● ●●●● ●●●● ●111');
    expect(maskExpiry(2)).toBe('●●/');
    expect(maskExpiry(4)).toBe('●●/●●');
  });

  it('knows its card services and refuses unknown ones', () => {
    expect(findKeypadService().brands).toBe('all');
    expect(findKeypadService('visa-master').brands).toEqual(['visa', 'mastercard']);
    expect(() => findKeypadService('nope')).toThrow(UnknownServiceError);
  });
});
