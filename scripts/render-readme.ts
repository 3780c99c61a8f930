/**
 * `npm run docs`: regenerates the generated parts of README.md — the error table (from ERROR_TABLE), the bad-input
 * table (from the rows in test/bad-input/, each a test) and the CLI help (from the commands themselves) — between
 * their `<!-- name:start -->` / `<!-- name:end -->` markers.
 * test/docs/readme.test.ts fails when README.md and this output differ, so the README cannot drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReadmeSections, replaceSection } from './readme-sections.js';

const readmePath = resolve(dirname(fileURLToPath(import.meta.url)), '../README.md');
let text = readFileSync(readmePath, 'utf8');
const sections = await renderReadmeSections();
for (const [name, body] of Object.entries(sections)) text = replaceSection(text, name, body);
writeFileSync(readmePath, text);
process.stderr.write(`README.md: regenerated ${Object.keys(sections).join(', ')}\n`);
