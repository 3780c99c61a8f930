/**
 * PROTOCOL.md §11 "Limits and constants" against protocol/constants.ts: every row named by a constant holds the
 * value the code uses, so the table a device maker reads cannot drift from the reference implementation.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as constants from '../../protocol/constants.js';

const spec = readFileSync(new URL('../../PROTOCOL.md', import.meta.url), 'utf8');
const section = spec.slice(spec.indexOf('## 11 Limits and constants'), spec.indexOf('## 12 '));
/** [name, value] of each table row whose first cell starts with a constant's name (UPPER_CASE with an underscore). */
const rows = [...section.matchAll(/^\| ([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b[^|]*\| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()] as const);

describe('PROTOCOL.md §11', () => {
  it('lists the bounds and timers the code enforces, at least these', () => {
    expect(rows.map(([name]) => name)).toEqual(expect.arrayContaining([
      'ACK_TIMEOUT_MS', 'LINK_DEAD_AFTER_MS', 'ANSWER_WAIT_MS', 'HOST_SILENT_DROP_MS', 'MAX_QUEUED_SENDS', 'MAX_UNWRITTEN_BYTES',
    ]));
  });

  it.each(rows)('%s is %s in protocol/constants.ts', (name, value) => {
    expect(Object.keys(constants)).toContain(name);
    expect(String((constants as Record<string, unknown>)[name])).toBe(value);
  });
});
