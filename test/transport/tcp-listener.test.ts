import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { listenTcp, TcpListenerError, type TcpListener, type TcpListenerOptions } from '../../device-sim/transport/tcp-listener.js';
import { readBytes } from './pty-helpers.js';

const listeners: TcpListener[] = [];
const clients: Socket[] = [];

async function listen(options: Partial<TcpListenerOptions> = {}): Promise<TcpListener> {
  const listener = await listenTcp({ port: 0, onConnection: () => {}, ...options });
  listeners.push(listener);
  return listener;
}
function dial(port: number, options: { allowHalfOpen?: boolean } = {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...options });
    clients.push(socket);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const l of listeners.splice(0)) await l.close();
});

describe('listenTcp', () => {
  it('listens on 127.0.0.1 and reports its bound port as tcp://HOST:PORT', async () => {
    const listener = await listen();
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.address).toBe(`tcp://127.0.0.1:${listener.port}`);
    expect(listener.listening).toBe(true);
  });

  it('hands the first host to onConnection and carries bytes both ways', async () => {
    const accepted: Socket[] = [];
    const listener = await listen({
      onConnection: (socket) => {
        accepted.push(socket);
        socket.on('data', (chunk: Buffer) => socket.write(Buffer.concat([Buffer.from([0xee]), chunk])));
      },
    });
    const client = await dial(listener.port);
    const reply = readBytes(client, 4);
    client.write(Buffer.from([0x00, 0x0a, 0xff]));
    expect(await reply).toEqual(Buffer.from([0xee, 0x00, 0x0a, 0xff]));
    expect(accepted).toHaveLength(1);
    expect(listener.connection).toBe(accepted[0]);
  });

  it('rejects a second host while one is connected: it gets what onRejected wrote, then the connection closes', async () => {
    let onConnectionCalls = 0;
    const listener = await listen({
      onConnection: () => onConnectionCalls++,
      onRejected: (socket) => socket.write(Buffer.from('BUSY')),
    });
    const first = await dial(listener.port);
    const second = await dial(listener.port);
    const refusal: Buffer[] = [];
    second.on('data', (chunk: Buffer) => refusal.push(chunk));
    await closed(second);
    expect(Buffer.concat(refusal).toString()).toBe('BUSY');
    expect(onConnectionCalls).toBe(1);
    expect(first.closed).toBe(false);
  });

  it('accepts the next host once the first one has gone', async () => {
    const accepted: Socket[] = [];
    const listener = await listen({ onConnection: (socket) => accepted.push(socket) });
    const first = await dial(listener.port);
    await expect.poll(() => accepted.length).toBe(1);
    first.destroy();
    await expect.poll(() => listener.connection).toBeUndefined();
    await dial(listener.port);
    await expect.poll(() => accepted.length).toBe(2);
  });

  it('drops a rejected host that never closes its side after rejectLingerMs on the injected clock', async () => {
    const clock = new SimulatedClock();
    let refused: Socket | undefined;
    const listener = await listen({ clock, rejectLingerMs: 2000, onRejected: (socket) => (refused = socket) });
    await dial(listener.port);
    const stubborn = await dial(listener.port, { allowHalfOpen: true });
    stubborn.resume();
    await new Promise<void>((resolve) => stubborn.once('end', () => resolve())); // the refusal was sent and ended
    clock.increment(1999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(refused?.closed).toBe(false);
    clock.increment(1);
    await closed(refused as Socket);
    expect(refused?.destroyed).toBe(true);
  });

  it('pause() unplugs: drops the host and refuses connections; resume() listens again on the same port', async () => {
    const listener = await listen();
    const port = listener.port;
    const client = await dial(port);
    await listener.pause();
    await closed(client);
    expect(listener.listening).toBe(false);
    expect(listener.connection).toBeUndefined();
    await expect(dial(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await listener.resume();
    expect(listener.port).toBe(port);
    expect(listener.address).toBe(`tcp://127.0.0.1:${port}`);
    await expect(dial(port)).resolves.toBeDefined();
  });

  it('close() may be repeated, and a closed listener cannot resume', async () => {
    const listener = await listen();
    await listener.close();
    await listener.close();
    expect(listener.listening).toBe(false);
    await expect(listener.resume()).rejects.toMatchObject({ name: 'TcpListenerError', code: 'CLOSED' });
  });

  it('rejects bad options and a port that is in use with typed errors', async () => {
    await expect(listenTcp({ port: 70000, onConnection: () => {} })).rejects.toMatchObject({ code: 'BAD_OPTIONS' });
    await expect(listenTcp({ port: 1.5, onConnection: () => {} })).rejects.toBeInstanceOf(TcpListenerError);
    const occupant = createServer();
    await new Promise<void>((resolve) => occupant.listen(0, '127.0.0.1', resolve));
    const { port } = occupant.address() as { port: number };
    try {
      await expect(listenTcp({ port, onConnection: () => {} })).rejects.toMatchObject({ code: 'LISTEN_FAILED' });
    } finally {
      await new Promise((resolve) => occupant.close(resolve));
    }
  });
});
