/**
 * The README's "Testing your store backend without hardware" samples, run as written: the section's ```ts blocks,
 * joined into one node:test file whose `tenkey` and `tenkey/testing` imports point at this tree's source, run by
 * `node --import tsx --test`. It also proves the kit under node:test, and that close() leaves nothing that keeps
 * node's test runner from exiting.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const HEADING = '## Testing your store backend without hardware\n';

/** The section's text, up to the next level-2 heading. */
function section(): string {
  const start = readme.indexOf(HEADING);
  if (start < 0) throw new Error(`README.md has no "${HEADING.trim()}"`);
  const end = readme.indexOf('\n## ', start + HEADING.length);
  return readme.slice(start, end < 0 ? undefined : end);
}

const ENTRY_POINTS: Readonly<Record<string, string>> = {
  tenkey: 'host-driver/index.ts',
  'tenkey/testing': 'testing/index.ts',
};

/** The samples as one file, the package's entry points replaced by this tree's source files. */
function samplesAsTestFile(text: string): { source: string; tests: number } {
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const source = blocks.join('\n').replace(/from '(tenkey(?:\/[a-z-]+)?)'/g, (whole, name: string) => {
    const file = ENTRY_POINTS[name];
    if (file === undefined) throw new Error(`a README sample imports ${name}, which this test does not map`);
    return `from '${pathToFileURL(join(root, file)).href}'`;
  });
  return { source, tests: (source.match(/^test\(/gm) ?? []).length };
}

const dir = mkdtempSync(join(tmpdir(), 'tenkey-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README: Testing your store backend without hardware', () => {
  it('shows a read, a timeout, a cancel, an unplug and replug, a refused brand and a declined card, in runnable samples', () => {
    const { source, tests } = samplesAsTestFile(section());
    expect(tests).toBe(5);
    for (const shown of ["nextEntry({ card: 'visa' })", 'advance(60_000)', "'cancel'", 'unplug()', 'replug()', 'UNSUPPORTED_BRAND', "card: 'declined'"]) {
      expect(source).toContain(shown);
    }
  });

  it('runs every sample under node:test, and the runner exits', async () => {
    const { source, tests } = samplesAsTestFile(section());
    const file = join(dir, 'readme-samples.test.ts');
    writeFileSync(file, source);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
      cwd: root, timeout: 120_000,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`node --test failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(stdout).toContain(`# pass ${tests}`);
    expect(stdout).toContain('# fail 0');
  }, 150_000);
});
