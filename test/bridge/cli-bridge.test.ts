/** `tenkey bridge` as a user runs it: a child process in front of a real simulator, stopped by a signal. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { projectRoot, runCliInProcess } from '../host-driver/cli-runner.js';
import { call, postEntry, simulator } from './bridge-harness.js';
import { killAfterTest, RUN_CLI, runBridge } from './bridge-process.js';
import { readEventStream } from './sse-client.js';

describe('tenkey bridge', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('prints its URL, answers /health, logs each request, and exits 0 on %s', async (signal) => {
    const sim = await simulator('pty');
    const origins = ['https://shop.example.com', 'http://localhost:3000'];
    const bridge = await runBridge(['--device', sim.address, '--listen', '127.0.0.1:0', '--allow-origin', origins[0]!, '--allow-origin', origins[1]!]);
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await bridge.stderrLine(/keypad connected/);
    const health = await call(`${bridge.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'connected', address: sim.address });
    for (const origin of origins) expect((await call(`${bridge.url}/health`, { headers: { Origin: origin } })).headers.get('access-control-allow-origin')).toBe(origin);
    expect((await call(`${bridge.url}/health`, { headers: { Origin: 'https://evil.example' } })).status).toBe(403);
    expect(await bridge.stderrLine(/GET \/health/)).toMatch(/^tenkey bridge: GET \/health 200 \d+ms$/);
    bridge.child.kill(signal);
    const [code] = await once(bridge.child, 'exit');
    expect(code).toBe(0);
    expect(bridge.stderr()).toMatch(/tenkey bridge: stopped/);
    expect(bridge.stderr()).not.toMatch(/warning/); // loopback: only this PC can reach it
  });

  it('warns in one stderr line that the network can reach it when listening beyond loopback', async () => {
    const sim = await simulator('pty');
    const bridge = await runBridge(['--device', sim.address, '--listen', '0.0.0.0:0']);
    const warning = await bridge.stderrLine(/warning/);
    expect(warning).toMatch(/^tenkey bridge: warning: listening on 0\.0\.0\.0: any machine on the network can reach the bridge .*requests without Origin are unrestricted\)$/);
    expect(bridge.stderr().split('\n').filter((l) => l.includes('warning'))).toHaveLength(1);
    bridge.child.kill('SIGTERM');
    expect((await once(bridge.child, 'exit'))[0]).toBe(0);
  });

  it('on SIGINT during an entry, the open event stream gets its terminal error and ends; the process exits 0', async () => {
    const sim = await simulator('pty');
    const bridge = await runBridge(['--device', sim.address, '--listen', '127.0.0.1:0']);
    await bridge.stderrLine(/keypad connected/);
    const created = (await postEntry(bridge.url)).body;
    const stream = readEventStream(`${bridge.url}/entries/${created.id}/events?token=${created.token}`, {
      onEvent: (e) => e.data.state === 'PAN' && bridge.child.kill('SIGINT'),
    });
    expect((await stream).events.at(-1)).toMatchObject({ event: 'error', data: { code: 'CONNECTION', cause: 'CLOSED' } });
    const [code] = await once(bridge.child, 'exit');
    expect(code).toBe(0);
    // The token travelled in the query string: it is in no log line.
    expect(bridge.stderr()).not.toContain(created.token);
    expect(bridge.stderr()).toContain(`GET /entries/${created.id}/events 200`);
  });

  it('prints a line when the keypad is absent and when it arrives', async () => {
    const sim = await simulator('pty');
    await sim.vanish();
    const bridge = await runBridge(['--device', sim.address, '--listen', '127.0.0.1:0']);
    expect(await bridge.stderrLine(/keypad connecting/)).toMatch(/ENOENT/);
    await sim.reappear();
    expect(await bridge.stderrLine(/keypad connected/)).toContain('TENKEY-SIM');
    bridge.child.kill('SIGTERM');
    expect((await once(bridge.child, 'exit'))[0]).toBe(0);
  });

  it('a port already taken: exit 1 with one line', async () => {
    const sim = await simulator('pty');
    const first = await runBridge(['--device', sim.address, '--listen', '127.0.0.1:0']);
    const port = new URL(first.url).port;
    const second = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, 'bridge', '--device', sim.address, '--listen', `127.0.0.1:${port}`], { cwd: projectRoot });
    killAfterTest(second);
    let stderr = '';
    second.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const [code] = await once(second, 'exit');
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });

  it.each([
    ['no --device', [], /required option '-d, --device <address>'/],
    ['a listen address without a port', ['--device', '/dev/null', '--listen', 'localhost'], /not HOST:PORT/],
    ['an origin with a path', ['--device', '/dev/null', '--allow-origin', 'https://shop.example.com/admin'], /must be http\(s\):\/\/HOST\[:PORT\]/],
    ['an unknown service', ['--device', '/dev/null', '--service', 'no-such-service'], /unknown card service/],
    ['a device that is no address', ['--device', 'keypad'], /neither tcp:\/\/HOST:PORT nor a serial port path/],
    ['a connect timeout of 0', ['--device', '/dev/null', '--connect-timeout', '0'], /--connect-timeout must be an integer/],
  ])('%s: exit 2 with one line naming the problem', async (_name, args, message) => {
    const run = await runCliInProcess(['bridge', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });
});
