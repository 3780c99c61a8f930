/** `tenkey sim` as a user runs it: the built bin (the test command builds dist/ first). */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKsn } from '../../device-sim/crypto/aes-dukpt.js';
import { floodKeypad } from '../bad-input/flooding-peers.js';
import { connectTcp, openSerial, startEntryMessage, TestHost } from './test-host.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/tenkey.cjs');
let children: ChildProcess[] = [];
let hosts: TestHost[] = [];
afterEach(() => {
  for (const host of hosts) host.close();
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  hosts = [];
  children = [];
});

function run(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  return line;
}

/** One entry on a `tenkey sim` run with these flags; the RESULT's KSN (hex). The run is stopped and waited for. */
async function oneResultKsn(flags: string[]): Promise<string> {
  const child = run(['--listen', 'tcp://127.0.0.1:0', ...flags, '--keys', '4111111111111111<enter>1230<enter>']);
  const host = new TestHost(await connectTcp(await firstLine(child)));
  hosts.push(host);
  await host.hello();
  await host.send(startEntryMessage(1));
  const end = await host.end();
  if (end.type !== 'RESULT') throw new Error(`expected RESULT, got ${end.type}`);
  child.kill('SIGTERM');
  await once(child, 'exit');
  return Buffer.from(end.keySerialNumber).toString('hex');
}

describe('tenkey sim', () => {
  it('prints its TCP address first, serves a host, and exits 0 on SIGTERM', async () => {
    const child = run(['--listen', 'tcp://127.0.0.1:0', '--keys', '4111111111111111<enter>']);
    const address = await firstLine(child);
    expect(address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const host = new TestHost(await connectTcp(address));
    hosts.push(host);
    expect((await host.hello()).type).toBe('INFO');
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('writes a line on stderr when it drops a host that floods requests and never reads (issue #13)', async () => {
    const child = run(['--listen', 'tcp://127.0.0.1:0']);
    const address = await firstLine(child);
    const lines = createInterface({ input: child.stderr! });
    const dropped = new Promise<string>((resolve) => lines.on('line', (line) => { if (line.includes('host dropped')) resolve(line); }));
    const flood = await floodKeypad(Number(address.split(':').at(-1)), 'GET_STATUS');
    await flood.closed;
    expect(await dropped).toMatch(/^tenkey sim: host dropped \(QUEUE_FULL\): /);
    child.kill('SIGTERM');
    await once(child, 'exit');
  });

  it('prints its PTY path first and a serialport host can open it', async () => {
    const child = run([]);
    const path = await firstLine(child);
    expect(path).toMatch(/^\/dev\/pts\/\d+$/);
    const host = new TestHost(await openSerial(path));
    hosts.push(host);
    expect((await host.hello()).type).toBe('INFO');
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('--key-counter: the first entry uses that DUKPT counter (KSNs need not repeat across runs)', async () => {
    const ksn = await oneResultKsn(['--key-counter', '4242']);
    expect(parseKsn(Buffer.from(ksn, 'hex')).counter).toBe(4242);
  });

  it('two runs in a row give different KSNs: the counter is kept in the --state file', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tenkey-sim-state-'));
    try {
      const state = join(stateDir, 'keypad.json');
      const first = await oneResultKsn(['--state', state]);
      const second = await oneResultKsn(['--state', state]);
      expect(second).not.toBe(first);
      expect(parseKsn(Buffer.from(second, 'hex')).counter).toBeGreaterThan(parseKsn(Buffer.from(first, 'hex')).counter);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('without --state, keeps the counter under $XDG_STATE_HOME (test/setup/state-dir.ts points it at a temp folder)', async () => {
    const byDefault = [await oneResultKsn([]), await oneResultKsn([])];
    expect(new Set(byDefault).size).toBe(2);
    expect(JSON.parse(readFileSync(join(process.env.XDG_STATE_HOME!, 'tenkey', 'keypads', 'SIM-00000001.json'), 'utf8'))).toMatchObject({ serialNumber: 'SIM-00000001' });
  });

  it('refuses to start on a --state file another running keypad holds (it would reuse its KSNs): one line, exit 1', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tenkey-sim-state-'));
    try {
      const state = join(stateDir, 'keypad.json');
      const first = run(['--listen', 'tcp://127.0.0.1:0', '--state', state]);
      await firstLine(first);
      const second = run(['--listen', 'tcp://127.0.0.1:0', '--state', state]);
      let stderr = '';
      second.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
      const [code] = await once(second, 'close');
      expect(code).toBe(1);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toContain(`tenkey sim: cannot start: the keypad state file ${state} is in use by another running keypad (process ${first.pid}`);
      first.kill('SIGTERM');
      await once(first, 'exit');
      expect(existsSync(`${state}.lock`)).toBe(false); // released on a clean stop: the next run may start
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('refuses a --key-counter below the saved counter (it would reuse KSNs), exit 1', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tenkey-sim-state-'));
    try {
      const state = join(stateDir, 'keypad.json');
      await oneResultKsn(['--state', state, '--key-counter', '500']);
      const child = run(['--state', state, '--key-counter', '499']);
      let stderr = '';
      child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
      const [code] = await once(child, 'exit');
      expect(code).toBe(1);
      expect(stderr).toMatch(/next DUKPT counter is 501: a keypad never goes back/);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it.each([
    // Typed in one go, faster than round trips: the digits merge into one or two reports (PROTOCOL.md §5.11).
    [[], 'merged'],
    [['--no-merge-key-reports'], 'one per key'],
  ] as const)('%j: the DIGIT KEYs of a card typed in one go are %s', async (flags, expected) => {
    const child = run(['--listen', 'tcp://127.0.0.1:0', ...flags, '--keys', '4111111111111111<enter>1230<enter>']);
    const host = new TestHost(await connectTcp(await firstLine(child)));
    hosts.push(host);
    await host.hello();
    await host.send(startEntryMessage(1));
    expect((await host.end()).type).toBe('RESULT');
    const panDigits = host.received.flatMap((m) => (m.type === 'KEY' && m.field === 'PAN' && m.keyClass === 'DIGIT' ? [m.digits] : []));
    expect(panDigits.at(-1)).toBe(16);
    if (expected === 'one per key') expect(panDigits).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    else expect(panDigits.length).toBeLessThanOrEqual(2);
  });

  it.each([
    [['--fault', 'bogus'], /unknown fault "bogus"/],
    [['--keys', '12x'], /unexpected "x".*column 3/],
    [['--service', 'nope'], /unknown card service "nope"/],
    [['--listen', 'udp://x:1'], /--listen must be/],
    [['--key-counter', '0'], /--key-counter must be a DUKPT counter/],
    [['--key-counter', '0x1FFFF'], /--key-counter must be a DUKPT counter/],
  ])('rejects %j with one line on stderr and a non-zero exit', async (args, message) => {
    const child = run(args);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    const [code] = await once(child, 'exit');
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });
});
