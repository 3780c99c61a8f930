/**
 * tenkey/testing under the other test runners a store backend may use. node:test: the README samples run with
 * `node --test` (test/docs/readme-testing-samples.test.ts). Jest: test/testing/jest/, in ESM mode, run here.
 */
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('tenkey/testing under jest', () => {
  it('runs an ESM jest file (node --experimental-vm-modules): a read and a timeout on virtual time pass, and jest exits', async () => {
    const jest = resolve(root, 'node_modules/jest/bin/jest.js');
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath, ['--experimental-vm-modules', jest, '-c', 'test/testing/jest/jest.config.mjs', '--ci'],
      { cwd: root, timeout: 150_000, env: { ...process.env, NODE_OPTIONS: '' } },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`jest failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    const output = `${stdout}\n${stderr}`;
    expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(output).not.toMatch(/did not exit|open handle/i);
  }, 180_000);
});
