import fc from 'fast-check';
import { Parser } from 'binary-parser';
import { describe, expect, it } from 'vitest';
import { messageParsers } from '../../protocol/body-parsers.js';
import { compileParser } from '../../protocol/compiled-parser.js';

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Result of a parse as comparable data: fields (sub-buffers as byte arrays) or the error's class. */
function outcome(parse: () => object): unknown {
  try {
    const fields = parse();
    return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Uint8Array ? [...v] : v]));
  } catch (e) {
    return { threw: (e as Error).constructor.name };
  }
}

describe('compileParser', () => {
  it('compiles every message parser without falling back to Parser.parse', () => {
    for (const [type, parser] of Object.entries(messageParsers)) expect([type, parser.fast]).toEqual([type, true]);
  });

  it('returns what Parser.parse returns, on any bytes, at any offset in a larger buffer', () => {
    const definition = () => new Parser()
      .uint32be('a').uint8('n').buffer('b', { length: 'n' }).uint16be('c').buffer('d', { length: 3 }).saveOffset('end');
    const compiled = compileParser<object>(definition());
    const reference = definition();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(8), (bytes, pad) => {
      const buffer = Buffer.concat([Buffer.alloc(pad, 0xee), bytes, Buffer.alloc(pad, 0xee)]).subarray(pad, pad + bytes.length);
      expect(outcome(() => compiled.parse(buffer, viewOf(buffer)))).toEqual(outcome(() => reference.parse(buffer)));
    }));
  });

  it('falls back to Parser.parse when user functions could look at the parsing context', () => {
    const compiled = compileParser<{ n: number }>(new Parser().uint8('n', { assert: (n) => n === 1 }));
    const bytes = Buffer.from([1]);
    expect(compiled.fast).toBe(false);
    expect(compiled.parse(bytes, viewOf(bytes)).n).toBe(1);
    expect(() => compiled.parse(Buffer.from([2]), viewOf(bytes))).toThrow(/Assertion/);
  });

  it('falls back when the context variables are in use', () => {
    const inner = new Parser().uint8('x');
    const compiled = compileParser<object>(new Parser().useContextVars().uint8('n').nest('inner', { type: inner }));
    expect(compiled.fast).toBe(false);
  });
});
