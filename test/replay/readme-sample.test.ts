/**
 * README's `tenkey/replay` sample (the ```ts block after `<!-- replay-sample -->`), run as a user runs a script:
 * its own process, ESM with top-level await, from the repository root, with `tenkey/replay` pointing at the source.
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
const sample = /<!-- replay-sample -->\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
const dir = mkdtempSync(join(tmpdir(), 'tenkey-replay-sample-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README: replaying captures from code', () => {
  it('the tenkey/replay sample replays a fixture green against both sides and prints the reports', async () => {
    expect(sample).toContain("from 'tenkey/replay'");
    const script = join(dir, 'sample.mts');
    writeFileSync(script, sample!.replace("'tenkey/replay'", JSON.stringify(pathToFileURL(join(root, 'replay/index.ts')).href)));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: root });
    const verdicts = stdout.split('\n').filter((line) => /^[✓✗] /.test(line));
    expect(verdicts).toEqual([
      expect.stringMatching(/^✓ happy-visa: against host, \d+ recorded h2d frames from the host driver, 0 difference\(s\);/),
      expect.stringMatching(/^✓ happy-visa: against device, \d+ recorded d2h frames from the simulator, 0 difference\(s\);/),
    ]);
  }, 30_000);
});
