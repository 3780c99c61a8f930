/**
 * Every verb registered in cli/main.ts (issue 15 items 3 and 8): its `--help` ends with its exit codes, made
 * from cli/exit-codes.ts VERB_EXIT_CODES, and README's CLI section shows its help.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodesHelp, VERB_EXIT_CODES } from '../../cli/exit-codes.js';
import { registeredVerbs, sectionOf } from '../../scripts/readme-sections.js';
import { projectRoot, runCliInProcess } from '../host-driver/cli-runner.js';

const verbs = registeredVerbs().map((path) => path.join(' '));
const readme = readFileSync(resolve(projectRoot, 'README.md'), 'utf8');
const cliSection = sectionOf(readme, 'cli-help');
const readmeProse = readme.replace(cliSection, '');

describe('every verb', () => {
  it('is found in cli/main.ts (the list below is not empty by accident)', () => {
    expect(verbs).toEqual(expect.arrayContaining(['read', 'doctor', 'sim', 'tap', 'demo-store', 'capture export', 'capture import', 'capture info']));
  });

  it('has exactly one row in VERB_EXIT_CODES, and the table names no verb that does not exist', () => {
    expect(Object.keys(VERB_EXIT_CODES).sort()).toEqual([...verbs].sort());
  });

  it.each(verbs)('`%s --help` lists its exit codes from the one table', async (verb) => {
    const run = await runCliInProcess([...verb.split(' '), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(exitCodesHelp(verb));
    expect(exitCodesHelp(verb)).toMatch(/^Exit codes: 0 [^,]+, /);
  });

  it.each(verbs)('`%s` has its help in README\'s CLI section and is named in its prose', (verb) => {
    expect(cliSection).toContain(`$ tenkey ${verb} --help\n`);
    expect(readmeProse).toContain(`\`${verb}\``);
  });
});
