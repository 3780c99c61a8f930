/**
 * `tenkey demo-store` as a user runs it (a child process from source): prints the store URL first and serves
 * until SIGTERM (exit 0); with --with-keypad the bridge at the settings' address answers with a connected keypad
 * and lets the store's origin in. A bad --listen is one line and exit 2.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_STORE_SETTINGS } from '../../demo-store/index.js';
import { USAGE_EXIT_CODE } from '../../cli/usage-error.js';
import { projectRoot, runCliInProcess } from '../host-driver/cli-runner.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts `tenkey demo-store …` and resolves once stderr has said `ready` (with the output so far). */
function serve(args: string[], ready: RegExp): Promise<{ child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'host-driver', 'fixtures', 'run-cli.ts'), 'demo-store', ...args], {
    cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in time\nstdout: ${stdout}\nstderr: ${stderr}`)), 20_000);
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
      if (ready.test(stderr)) {
        clearTimeout(timer);
        resolve({ child, stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => reject(new Error(`exited ${code} before ready\nstdout: ${stdout}\nstderr: ${stderr}`)));
  });
}

describe('tenkey demo-store', () => {
  it('prints the store URL first, serves the pages and API, and exits 0 on SIGTERM', async () => {
    const run = await serve(['--listen', '127.0.0.1:0'], /open http/);
    const url = run.stdout().split('\n')[0]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(`${url}api/settings`)).status).toBe(200);
    expect(await (await fetch(`${url}customers.html`)).text()).toContain('顧客一覧(検索)');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toMatch(/store: GET \/customers\.html 200 \d+ms/);
  });

  it('with --with-keypad also runs a keypad on a PTY and a bridge at the default address for the store', async () => {
    const run = await serve(['--listen', '127.0.0.1:0', '--with-keypad'], /open http/);
    const storeOrigin = run.stdout().split('\n')[0]!.replace(/\/$/, '');
    expect(run.stderr()).toMatch(/virtual keypad \(TEST keys only\) on \/dev\/pts\/\d+/);
    const bridge = `http://${DEFAULT_STORE_SETTINGS.bridgeHost}:${DEFAULT_STORE_SETTINGS.bridgePort}`;
    await expect.poll(async () => (await fetch(`${bridge}/health`)).status, { timeout: 10_000 }).toBe(200);
    const allowed = await fetch(`${bridge}/health`, { headers: { Origin: storeOrigin } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(storeOrigin);
    expect((await fetch(`${bridge}/health`, { headers: { Origin: 'http://elsewhere.example' } })).status).toBe(403);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('refuses a bad --listen with one line and exit 2', async () => {
    const run = await runCliInProcess(['demo-store', '--listen', 'nowhere']);
    expect(run.code).toBe(USAGE_EXIT_CODE);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--listen: listen address "nowhere" is not HOST:PORT/);
  });
});
