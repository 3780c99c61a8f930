/**
 * The PTY addon is optional: only a PTY keypad loads it. Every process here runs with a spy on process.dlopen (how
 * Node loads every .node file), so "never loads it" is what the process really did, not what an import graph says.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(root, 'bin/tenkey.cjs');
const DLOPEN_SPY =
  'data:text/javascript,const open=process.dlopen;process.dlopen=function(m,file,...rest){' +
  'process.stderr.write("dlopen: "+file+"\\n");return open.call(this,m,file,...rest)}';
/** The addon's file, as a developer builds it (build/Release/tenkey_pty.node) or as it ships (prebuilds/…/tenkey*.node). */
const TENKEY_ADDON = /^dlopen: .*(tenkey_pty\.node|prebuilds[\\/][^\\/]+[\\/]tenkey[^\\/]*\.node)$/m;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** node [args] from the repository root; `stopAfterFirstLine` ends a server once it has printed its address. */
function runNode(args: string[], options: { env?: NodeJS.ProcessEnv; stopAfterFirstLine?: boolean } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', DLOPEN_SPY, ...args], {
      cwd: root,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString('utf8');
      if (options.stopAfterFirstLine && stdout.includes('\n')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const noAddonDir = mkdtempSync(join(tmpdir(), 'tenkey-no-addon-'));
afterAll(() => rmSync(noAddonDir, { recursive: true, force: true }));

describe('the PTY addon (optional)', () => {
  it('is loaded by `tenkey sim` on a PTY: the spy sees it (so the checks below can fail)', async () => {
    const run = await runNode([BIN, 'sim'], { stopAfterFirstLine: true });
    expect(run.stdout).toMatch(/^\/dev\/pts\/\d+\n/);
    expect(run.stderr).toMatch(TENKEY_ADDON);
  });

  it('is never loaded by importing tenkey (the driver) and tenkey/bridge', async () => {
    const run = await runNode(['--input-type=module', '-e', "await import('tenkey'); await import('tenkey/bridge'); console.log('imported')"]);
    expect(run.stdout).toBe('imported\n');
    expect(run.stderr).toMatch(/^dlopen: /m); // serialport's own prebuilt binding: the spy works in this process
    expect(run.stderr).not.toMatch(TENKEY_ADDON);
  });

  it.each(['--help', 'read --help', 'bridge --help', 'decode fixtures/captures/happy-visa.jsonl', 'sim --listen tcp://127.0.0.1:0'])(
    'is never loaded by `tenkey %s`',
    async (command) => {
    const args = command.split(' ');
    const run = await runNode([BIN, ...args], { stopAfterFirstLine: args[0] === 'sim' });
    expect(run.stdout.length).toBeGreaterThan(0);
    expect(run.stderr).not.toMatch(TENKEY_ADDON);
    },
  );

  it('where no binary fits, `tenkey sim` says so in one line, offers --listen tcp://, and exits 1', async () => {
    // node-gyp-build's own override (<PACKAGE NAME>_PREBUILD) points it at an empty folder: what a platform without
    // a prebuilt binary sees.
    const run = await runNode([BIN, 'sim'], { env: { TENKEY_PREBUILD: noAddonDir } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.replace(/^dlopen: .*\n/gm, '')).toMatch(
      /^tenkey sim: cannot start: no PTY support here: .*; serve over TCP instead: --listen tcp:\/\/127\.0\.0\.1:7780\n$/,
    );
  });

  it('where no binary fits, `tenkey sim --listen tcp://…` still serves', async () => {
    const run = await runNode([BIN, 'sim', '--listen', 'tcp://127.0.0.1:0'], { env: { TENKEY_PREBUILD: noAddonDir }, stopAfterFirstLine: true });
    expect(run.stdout).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+\n$/);
  });
});
