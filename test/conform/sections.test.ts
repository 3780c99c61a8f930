/**
 * Every conformance check and every --strict violation names sections that exist in PROTOCOL.md (and §3.5 rows
 * that exist in its table), so a report always points at the clause it tested.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFORM_CHECKS } from '../../conform/checks/index.js';
import { HOST_VIOLATION_SECTIONS } from '../../device-sim/strict/host-conduct.js';

const spec = readFileSync(new URL('../../PROTOCOL.md', import.meta.url), 'utf8');
const headings = new Set([...spec.matchAll(/^#{2,3} (\d+(?:\.\d+)?) /gm)].map((m) => m[1]));
const refusalRows = new Set([...spec.split(/^### 3\.5 /m)[1]!.split(/^## /m)[0]!.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])));

/** `§3.5 #6`, `§9.2 step 1, §5.10`, `§3.5 #9, #11` → the sections and §3.5 rows named. */
function referencesOf(text: string): { sections: string[]; rows: number[] } {
  const sections = [...text.matchAll(/§(\d+(?:\.\d+)?)/g)].map((m) => m[1]!);
  const rows = text.includes('§3.5') ? [...text.matchAll(/#(\d+)/g)].map((m) => Number(m[1])) : [];
  return { sections, rows };
}

describe('conformance names', () => {
  const named = [
    ...CONFORM_CHECKS.map((c) => [c.id, c.section] as const),
    ...Object.entries(HOST_VIOLATION_SECTIONS).map(([name, section]) => [name, section] as const),
  ];
  it.each(named)('%s names PROTOCOL.md sections that exist (%s)', (_name, section) => {
    const { sections, rows } = referencesOf(section);
    expect(sections.length).toBeGreaterThan(0);
    for (const s of sections) expect(headings, `§${s}`).toContain(s);
    for (const row of rows) expect(refusalRows, `§3.5 #${row}`).toContain(row);
  });

  it('has one check per row of the §3.5 table that a device can be held to (rows 5–14)', () => {
    const tested = CONFORM_CHECKS.filter((c) => c.group === 'refusals').map((c) => Number(/#(\d+)/.exec(c.section)![1]));
    expect(tested).toEqual([...refusalRows].filter((row) => row >= 5));
  });
});
