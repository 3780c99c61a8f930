/**
 * `tenkey conform` as a user runs it, against `tenkey sim` in another process that types its own key script at
 * each START_ENTRY (the same script passed to conform): every required check passes, over TCP and over a PTY.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot, runCli, runCliInProcess } from '../host-driver/cli-runner.js';

const SCRIPT = '<wait:2500>4111111111111111<enter>1230<enter>';
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGTERM');
});

/** Starts `tenkey sim ...args` and resolves with the address it prints first. */
function startSim(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('test/host-driver/fixtures/run-cli.ts'), 'sim', ...args], {
    cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const line = out.split('\n');
      if (line.length > 1) resolve(line[0]!.trim());
    });
    child.on('exit', (code) => reject(new Error(`tenkey sim exited ${code}`)));
  });
}

describe('tenkey conform against tenkey sim', () => {
  for (const listen of ['tcp://127.0.0.1:0', 'pty']) {
    it(`passes over ${listen === 'pty' ? 'a PTY' : 'TCP'} (exit 0, a PASS line per required clause, the summary)`, async () => {
      const address = await startSim(['--listen', listen, '--keys', SCRIPT]);
      const run = await runCli(['conform', '--device', address, '--keys', SCRIPT], { timeoutMs: 90_000 });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^PASS +§3\.5 #6 /m);
      expect(run.stdout).toMatch(/^PASS +§9\.2, §5\.11, §5\.13 .*\[flow\.card\]$/m);
      expect(run.stdout).not.toMatch(/^FAIL/m);
      // Checks that need keys on request cannot run against a keypad typing one script: skipped, and optional.
      expect(run.stdout).toMatch(/^SKIP .*\(optional\) +\[flow\.cancel-key\]$/m);
      expect(run.stdout.trim().split('\n').at(-1)).toMatch(/ conforms: \d+ passed, 0 failed, 2 skipped/);
      expect(run.stdout + run.stderr).not.toContain('4111111111111111');
    }, 120_000);
  }

  it('a bad --keys script is a usage error (exit 2) naming the column; a bad address is CONNECTION (exit 4)', async () => {
    const badKeys = await runCliInProcess(['conform', '--device', 'tcp://127.0.0.1:9', '--keys', '12<enterr>']);
    expect(badKeys.code).toBe(2);
    expect(badKeys.stderr).toMatch(/tenkey conform: --keys: unknown key <enterr> .* at column 3/);
    const badAddress = await runCliInProcess(['conform', '--device', 'not-an-address', '--keys', SCRIPT]);
    expect(badAddress.code).toBe(4);
    expect(badAddress.stderr).toContain('BAD_ADDRESS');
    expect(badAddress.stdout).toBe('');
  });
});
