/**
 * The public surface is what api/*.api.md records: this fails when an entry point's exports (or their signatures)
 * differ from the committed report. After a deliberate change, `npm run api` and commit the reports.
 * Reads the built declarations in dist/ (npm test builds them first).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiEntryPoints, runApiReports } from '../../scripts/api-reports.js';

describe('public API reports', () => {
  it('has one entry point per distinct "exports" target, with "." and "./host-driver" sharing one', () => {
    const entries = apiEntryPoints();
    expect(entries.find((e) => e.name === 'tenkey')?.subpaths).toEqual(['.', './host-driver']);
    const exportsCount = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { exports: object }).exports).length;
    expect(entries.flatMap((e) => e.subpaths)).toHaveLength(exportsCount);
  });

  it('matches api/<entry>.api.md for every entry point in package.json "exports"', () => {
    const results = runApiReports({ local: false });
    const differing = results.filter((r) => r.changed || !r.succeeded)
      .map((r) => `${r.entry.name}: ${r.changed ? 'surface differs from api/' + r.entry.name + '.api.md' : 'analysis failed'}\n  ${r.messages.join('\n  ')}`);
    expect(differing, 'run `npm run api` and commit the reports if the change is meant').toEqual([]);
  }, 120_000);
});
