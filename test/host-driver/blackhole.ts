/**
 * A TCP address whose connect never completes, deterministically and without a network: a listener in a
 * child process whose event loop is blocked (so it never accepts) and whose accept queue (backlog 1) is
 * filled by two connections first. The kernel then drops further SYNs, and a connect hangs until the
 * caller's own deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterEach } from 'vitest';

const LISTENER = `
const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  require('node:fs').writeSync(1, server.address().port + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});`;

const children: ChildProcess[] = [];
const fillers: Socket[] = [];

afterEach(() => {
  for (const socket of fillers.splice(0)) socket.destroy();
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** tcp://127.0.0.1:PORT where nothing is ever accepted and a new connect neither succeeds nor fails. */
export async function blackholedAddress(): Promise<string> {
  const child = spawn(process.execPath, ['-e', LISTENER], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => reject(new Error('listener exited')));
    child.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString('utf8').trim())));
  });
  // backlog 1 queues two handshakes on Linux; fill both so the next SYN is dropped.
  for (let i = 0; i < 2; i++) {
    const socket = connect({ host: '127.0.0.1', port });
    fillers.push(socket);
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
  }
  return `tcp://127.0.0.1:${port}`;
}
