/**
 * `tenkey demo-store` as a user runs it (a child process from source): prints the store URL first — only once
 * everything it runs has started — and serves until SIGTERM (exit 0); with --with-keypad the bridge at
 * --bridge-listen answers with a connected keypad, lets the store's origin in, and is what the store's settings
 * name. A bad --listen, or a wildcard one with --with-keypad, is one line and exit 2.
 */
import { once } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualKeypad } from '../../device-sim/index.js';
import { USAGE_EXIT_CODE } from '../../cli/usage-error.js';
import { encryptCardEntry } from '../../device-sim/crypto/card-block.js';
import { createTestDukptDevice } from '../../device-sim/crypto/test-keys.js';
import { projectRoot, runCliInProcess } from '../host-driver/cli-runner.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts `tenkey demo-store …` and resolves at the first line of stdout, as a script reading it would. */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; stdout: () => string; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'host-driver', 'fixtures', 'run-cli.ts'), 'demo-store', ...args], {
    cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in time\nstdout: ${stdout}\nstderr: ${stderr}`)), 20_000);
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.stdout!.on('data', (b: Buffer) => {
      stdout += b.toString('utf8');
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve({ child, url: stdout.split('\n')[0]!, stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => reject(new Error(`exited ${code} before printing its URL\nstdout: ${stdout}\nstderr: ${stderr}`)));
  });
}

describe('tenkey demo-store', () => {
  it('prints the store URL first, serves the pages and API, and exits 0 on SIGTERM', async () => {
    const run = await serve(['--listen', '127.0.0.1:0', '--bridge-listen', '10.1.2.3:7790']);
    expect(run.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    // Without --with-keypad, --bridge-listen names the shop's own bridge in the settings.
    expect(await (await fetch(`${run.url}api/settings`)).json()).toMatchObject({ bridgeHost: '10.1.2.3', bridgePort: 7790 });
    expect(await (await fetch(`${run.url}customers.html`)).text()).toContain('顧客一覧(検索)');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    // Access logs only with --verbose: they would flood the terminal a person types on.
    expect(run.stderr()).not.toMatch(/store: GET/);
    expect(run.stderr()).toContain('open http://127.0.0.1:');
  });

  it('--verbose: one access log line per request of the store and the bridge', async () => {
    const run = await serve(['--listen', '127.0.0.1:0', '--with-keypad', '--bridge-listen', '127.0.0.1:0', '--verbose']);
    await fetch(`${run.url}customers.html`);
    const { bridgePort } = (await (await fetch(`${run.url}api/settings`)).json()) as { bridgePort: number };
    await fetch(`http://127.0.0.1:${bridgePort}/health`);
    await expect.poll(run.stderr).toMatch(/store: GET \/customers\.html 200 \d+ms/);
    await expect.poll(run.stderr).toMatch(/bridge: GET \/health \d{3} \d+ms/);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('--keys: the virtual keypad types the script each time an entry opens, entry after entry', async () => {
    const run = await serve(['--listen', '127.0.0.1:0', '--bridge-listen', '127.0.0.1:0', '--keys', '4111111111111111<ENTER>1230<enter>']);
    const { bridgePort } = (await (await fetch(`${run.url}api/settings`)).json()) as { bridgePort: number };
    const bridge = `http://127.0.0.1:${bridgePort}`;
    await expect.poll(async () => (await fetch(`${bridge}/health`)).status, { timeout: 10_000 }).toBe(200);
    for (let entry = 0; entry < 2; entry++) {
      const started = (await (await fetch(`${bridge}/entries`, { method: 'POST' })).json()) as { events: string; token: string };
      const events = await (await fetch(`${bridge}${started.events}?token=${started.token}`)).text();
      expect(events).toContain('event: result');
      expect(events).toMatch(/"brand":"visa"/);
      expect(events).not.toContain('4111111111111111');
    }
    expect(run.stderr()).toContain('types the --keys script each time the card popup opens');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('typing by hand on a terminal: the keypad display echoes ● for each digit, never the digit', async () => {
    // util-linux `script` gives the command a real terminal (stdin a TTY), as a person running it has.
    const command = [process.execPath, '--import', 'tsx', join('test', 'host-driver', 'fixtures', 'run-cli.ts'), 'demo-store', '--listen', '127.0.0.1:0', '--with-keypad', '--bridge-listen', '127.0.0.1:0']
      .map((arg) => `'${arg}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let screen = '';
    child.stdout!.on('data', (b: Buffer) => (screen += b.toString('utf8')));
    await expect.poll(() => /http:\/\/127\.0\.0\.1:\d+\//.exec(screen)?.[0], { timeout: 20_000 }).toBeDefined();
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(screen)![0];
    const { bridgePort } = (await (await fetch(`${url}api/settings`)).json()) as { bridgePort: number };
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${bridgePort}/health`)).status, { timeout: 10_000 }).toBe(200);
    expect((await fetch(`http://127.0.0.1:${bridgePort}/entries`, { method: 'POST' })).status).toBe(201);
    await expect.poll(() => screen, { timeout: 10_000 }).toContain('[PAN]');
    child.stdin!.write('41111');
    await expect.poll(() => screen, { timeout: 10_000 }).toContain('card   ●●●● ●');
    expect(screen).not.toContain('41111');
    expect(screen).not.toMatch(/store: GET|bridge: POST/);
    // Ctrl-C on the terminal, as the person would: the store stops cleanly and lets go of the keypad's state file
    // (killing `script` alone can leave the store running behind it, holding that file for the next test).
    const exited = once(child, 'exit');
    child.stdin!.write('\x03');
    await exited;
  });

  it('refuses a bad --keys script and --keys with --script: one line, exit 2', async () => {
    const bad = await runCliInProcess(['demo-store', '--listen', '127.0.0.1:0', '--keys', '<nope>']);
    expect(bad.code).toBe(USAGE_EXIT_CODE);
    expect(bad.stderr).toBe('tenkey demo-store: unknown key <nope> (known: <enter> <bs> <clear> <cancel> <wait:MS>) at column 1\n');
    const both = await runCliInProcess(['demo-store', '--listen', '127.0.0.1:0', '--keys', '1', '--script', 'x']);
    expect(both.code).toBe(USAGE_EXIT_CODE);
    expect(both.stderr).toBe('tenkey demo-store: give --keys or --script, not both\n');
  });

  it('with --with-keypad, refuses to start while another running keypad holds its state file: one line, exit 1, no URL', async () => {
    const counterFile = join(process.env.XDG_STATE_HOME!, 'tenkey', 'keypads', 'SIM-00000001.json');
    const running = new VirtualKeypad({ counterFile });
    try {
      const run = await runCliInProcess(['demo-store', '--listen', '127.0.0.1:0', '--with-keypad', '--bridge-listen', '127.0.0.1:0']);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^tenkey demo-store: cannot start: the keypad state file .* is in use by another running keypad \(process \d+/);
    } finally {
      running.close();
    }
  });

  it('with --with-keypad, by the time the URL is printed a bridge at --bridge-listen answers, is in the settings and lets the store in', async () => {
    const run = await serve(['--listen', '127.0.0.1:0', '--with-keypad', '--bridge-listen', '127.0.0.1:0']);
    const storeOrigin = run.url.replace(/\/$/, '');
    const settings = (await (await fetch(`${run.url}api/settings`)).json()) as { bridgeHost: string; bridgePort: number };
    expect(settings.bridgeHost).toBe('127.0.0.1');
    expect(settings.bridgePort).not.toBe(7781);
    const bridge = `http://${settings.bridgeHost}:${settings.bridgePort}`;
    // stderr is another pipe: its lines may arrive after the URL.
    await expect.poll(run.stderr).toContain(`bridge on ${bridge}`);
    expect(run.stderr()).toMatch(/virtual keypad \(TEST keys only\) on \/dev\/pts\/\d+/);
    await expect.poll(async () => (await fetch(`${bridge}/health`)).status, { timeout: 10_000 }).toBe(200);
    const allowed = await fetch(`${bridge}/health`, { headers: { Origin: storeOrigin } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(storeOrigin);
    expect((await fetch(`${bridge}/health`, { headers: { Origin: 'http://elsewhere.example' } })).status).toBe(403);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('keeps the KSNs it accepted under XDG_STATE_HOME: after a restart the same keypad result is still refused', async () => {
    const block = encryptCardEntry(createTestDukptDevice(), { panDigits: Uint8Array.from('4111111111111111', (c) => c.charCodeAt(0) - 0x30) });
    const body = JSON.stringify({ keySerialNumber: block.keySerialNumber.toString('hex'), encryptedBlock: block.encryptedBlock.toString('hex') });
    const post = (url: string) => fetch(`${url}api/cards`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const first = await serve(['--listen', '127.0.0.1:0']);
    expect((await post(first.url)).status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = await serve(['--listen', '127.0.0.1:0']);
    const again = await post(second.url);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { cause: string } }).error.cause).toBe('REPLAYED_KSN');
    expect(existsSync(join(process.env.XDG_STATE_HOME!, 'tenkey', 'demo-store', 'accepted-ksns.json'))).toBe(true);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('prints no URL when the bridge cannot start (its port is taken): exit 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const run = await runCliInProcess(['demo-store', '--listen', '127.0.0.1:0', '--with-keypad', '--bridge-listen', `127.0.0.1:${port}`]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/cannot start: .*EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it.each([
    ['a bad --listen', ['--listen', 'nowhere'], /--listen: listen address "nowhere" is not HOST:PORT/],
    ['a bad --bridge-listen', ['--bridge-listen', '7781'], /--bridge-listen: listen address "7781" is not HOST:PORT/],
    ['a --bridge-listen host that is no IP address', ['--bridge-listen', 'shop-pc:7781'], /--bridge-listen: the host must be an IP address/],
    ['a wildcard --listen with --with-keypad', ['--listen', '0.0.0.0:0', '--with-keypad'], /--listen 0\.0\.0\.0 cannot go with --with-keypad/],
    ['a wildcard IPv6 --listen with --with-keypad', ['--listen', '[::]:0', '--with-keypad'], /--listen :: cannot go with --with-keypad/],
  ])('refuses %s with one line and exit 2', async (_what, args, message) => {
    const run = await runCliInProcess(['demo-store', ...args]);
    expect(run.code).toBe(USAGE_EXIT_CODE);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });
});
