import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderReadmeSections, sectionOf } from '../../scripts/readme-sections.js';

const readme = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../README.md'), 'utf8');

describe('README.md', () => {
  it('shows the error table, the bad-input table and CLI help exactly as the code produces them (run `npm run docs` to refresh)', async () => {
    const sections = await renderReadmeSections();
    for (const [name, body] of Object.entries(sections)) expect(sectionOf(readme, name), name).toBe(body);
    // Rendering starts one `tenkey … --help` process per help page (13 now): on a busy 2-core machine that alone
    // can pass the suite's 30 s default.
  }, 180_000);

  it('puts the bad-input table under its own heading, right after the error table', () => {
    expect(readme).toContain('<!-- error-table:end -->\n\n## Bad input, and what each gets\n\n<!-- bad-input-table:start -->\n');
  });

  it('keeps the quick start to the two commands a newcomer runs', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Architecture'));
    const commands = /```sh\n([\s\S]*?)```/.exec(quickStart)![1]!.trim().split('\n').map((l) => l.replace(/\s+#.*$/, ''));
    expect(commands).toEqual(['npm install && npm start', 'npm test']);
  });
});
