/**
 * PROTOCOL.md §9.6's brand table is what the keypad does: the table is parsed from the spec, run by the rule the
 * spec states (first matching pattern per row, longest wins, lower order breaks ties), and compared with the
 * keypad's detectBrand at every pattern's lower and upper bound, one below and one above it, at every PAN length
 * 12–19. The table is also the pinned credit-card-type release's own rule set, pattern for pattern.
 * Prefixes only (8 digits) appear in failure messages: never a whole card-length number.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { detectBrand } from '../../device-sim/entry/index.js';
import { BrandCode, PAN_MAX_DIGITS, PAN_MIN_DIGITS } from '../../protocol/index.js';

const spec = readFileSync(new URL('../../PROTOCOL.md', import.meta.url), 'utf8');
const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { version: string }>;
};
const require = createRequire(import.meta.url);

type Pattern = { low: number; high: number; digits: number };
interface BrandRow { order: number; name: string; code: number | undefined; patterns: Pattern[]; lengths: number[] }

/** The rows of the table under "| order | brand (BrandCode) |" in §9.6. */
function brandTable(markdown: string): BrandRow[] {
  const section = markdown.slice(markdown.indexOf('### 9.6 Brands'), markdown.indexOf('### 9.7'));
  return [...section.matchAll(/^\| (\d+) \| ([a-z-]+) \(([^)]*)\) \| (.+) \| ([\d, ]+) \|$/gm)].map(([, order, name, code, patterns, lengths]) => ({
    order: Number(order),
    name: name!,
    code: /^0x[0-9A-F]{2}$/.test(code!) ? Number(code) : undefined,
    patterns: [...patterns!.matchAll(/`(\d+)(?:–(\d+))?`/g)].map(([, low, high]) => {
      if (high !== undefined && high.length !== low!.length) throw new Error(`range ${low}–${high}: bounds of different lengths`);
      return { low: Number(low), high: Number(high ?? low), digits: low!.length };
    }),
    lengths: lengths!.split(',').map((n) => Number(n.trim())),
  }));
}

/** §9.6 rules 1–4, from the table alone: what a firmware team would write. */
function brandByTable(rows: readonly BrandRow[], prefix8: string): string {
  let best: { row: BrandRow; strength: number } | undefined;
  for (const row of rows) {
    const counted = row.patterns.find((p) => {
      const lead = Number(prefix8.slice(0, p.digits));
      return lead >= p.low && lead <= p.high;
    });
    if (counted !== undefined && (best === undefined || counted.digits > best.strength)) best = { row, strength: counted.digits };
  }
  return best === undefined || best.row.code === undefined ? 'unknown' : best.row.name;
}

/** The 8-digit prefixes at and around a pattern's bounds (those that exist: 00000000–99999999). */
function boundaryPrefixes(p: Pattern): { prefix: string; inside: boolean }[] {
  const scale = 10 ** (8 - p.digits);
  const points = [
    { at: p.low * scale, inside: true }, { at: (p.high + 1) * scale - 1, inside: true },
    { at: p.low * scale - 1, inside: false }, { at: (p.high + 1) * scale, inside: false },
  ];
  return points.filter(({ at }) => at >= 0 && at < 1e8).map(({ at, inside }) => ({ prefix: String(at).padStart(8, '0'), inside }));
}

const rows = brandTable(spec);

describe('PROTOCOL.md §9.6 brand table', () => {
  it('names the credit-card-type release the keypad is built with, and lists its rules exactly, in its order', () => {
    const version = lock.packages['node_modules/credit-card-type']!.version;
    expect(spec).toContain(`library, version ${version}`);
    const library = require('credit-card-type/dist/lib/card-types.js') as Record<string, { type: string; patterns: (number | number[])[]; lengths: number[] }>;
    const byName = new Map(Object.values(library).map((card) => [card.type, card]));
    const creditCardType = require('credit-card-type') as { getTypeInfo(name: string): unknown; types: Record<string, string> };
    // The library's own trial order (ORIGINAL_TEST_ORDER) is the order of its `types` map.
    expect(rows.map((r) => r.name)).toEqual(Object.values(creditCardType.types));
    expect(rows.map((r) => r.order)).toEqual(rows.map((_, i) => i + 1));
    for (const row of rows) {
      const card = byName.get(row.name)!;
      expect(row.patterns, row.name).toEqual(card.patterns.map((p) => {
        const [low, high] = Array.isArray(p) ? p : [p, p];
        return { low, high, digits: String(low).length };
      }));
      expect(row.lengths, row.name).toEqual(card.lengths);
    }
  });

  it('gives each row the BrandCode of §5.17, and no code to brands the protocol has none for', () => {
    for (const row of rows) {
      const code = (BrandCode as Record<string, number>)[row.name];
      expect(row.code, row.name).toBe(code);
    }
    const withCode = rows.filter((r) => r.code !== undefined).map((r) => r.name).sort();
    expect(withCode).toEqual(Object.keys(BrandCode).filter((b) => b !== 'unknown').sort());
  });

  it('agrees with the keypad at every bound, just outside it, and at every PAN length', () => {
    let checked = 0;
    for (const row of rows) {
      for (const pattern of row.patterns) {
        for (const { prefix, inside } of boundaryPrefixes(pattern)) {
          const expected = brandByTable(rows, prefix);
          for (let length = PAN_MIN_DIGITS; length <= PAN_MAX_DIGITS; length++) {
            const pan = prefix.padEnd(length, '0');
            expect(detectBrand(pan), `${row.name} ${inside ? 'bound' : 'outside'} ${prefix}…, ${length} digits`).toBe(expected);
          }
          const lead = Number(prefix.slice(0, pattern.digits));
          // Just outside a range, the range itself does not match (another row, or another pattern, may).
          expect(lead >= pattern.low && lead <= pattern.high, `${row.name} ${prefix}`).toBe(inside);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(600);
  });

  it('gives the brand of the row at each bound whenever that row wins, and the spec\'s worked examples', () => {
    // The bounds of rows no longer pattern overrides (a single visa `4`, american-express) are that brand.
    expect(detectBrand('400000000000')).toBe('visa');
    expect(detectBrand('499999999999')).toBe('visa');
    expect(detectBrand('340000000000')).toBe('american-express');
    expect(detectBrand('379999999999')).toBe('american-express');
    // §9.6 rule 4's examples.
    expect(brandByTable(rows, '65005200')).toBe('unknown');
    expect(detectBrand('650052000000')).toBe('unknown');
    expect(detectBrand('650051000000')).toBe('elo');
    expect(brandByTable(rows, '50610000')).toBe('unknown');
    expect(detectBrand('506100000000')).toBe('unknown');
    expect(detectBrand('506098000000')).toBe('maestro');
  });

  it('agrees with the keypad on a sweep of every 4-digit prefix (the table covers the whole number space)', () => {
    for (let lead = 0; lead < 10_000; lead++) {
      for (const tail of ['0000', '9999']) {
        const prefix = String(lead).padStart(4, '0') + tail;
        expect(detectBrand(prefix.padEnd(16, '0')), prefix).toBe(brandByTable(rows, prefix));
      }
    }
  });
});
