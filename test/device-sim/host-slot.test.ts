/**
 * The TCP keypad's one host slot (PROTOCOL.md §6.4, §8): freed by a host's FIN at once, by a host silent past
 * HOST_SILENT_DROP_MS, and taken over by a newcomer once the host was silent past LINK_DEAD_AFTER_MS.
 */
import { once } from 'node:events';
import { connect, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSimulator, SimulatorOptionsError, type RunningSimulator } from '../../device-sim/index.js';
import { listenTcp, type TcpListener } from '../../device-sim/transport/tcp-listener.js';
import { SimulatedClock } from 'xstate';
import { encodeFrame, HOST_SILENT_DROP_MS, LINK_DEAD_AFTER_MS, type ProtocolError } from '../../protocol/index.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

async function dial(port: number, options: { allowHalfOpen?: boolean } = {}): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, ...options });
  cleanups.push(() => socket.destroy());
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

async function listen(onConnection: (socket: Socket) => void, onRejected: (socket: Socket) => void): Promise<TcpListener> {
  const listener = await listenTcp({ port: 0, onConnection, onRejected });
  cleanups.push(() => listener.close());
  return listener;
}

describe('the TCP keypad host slot', () => {
  it('turns TCP keepalive on for the host it serves', async () => {
    const keepAlive = vi.spyOn(Socket.prototype, 'setKeepAlive');
    const accepted: Socket[] = [];
    const listener = await listen((socket) => accepted.push(socket), () => {});
    await dial(listener.port);
    await vi.waitFor(() => expect(accepted).toHaveLength(1));
    expect(keepAlive.mock.contexts).toContain(accepted[0]);
    expect(keepAlive).toHaveBeenCalledWith(true, LINK_DEAD_AFTER_MS);
  });

  it("frees the slot on the host's FIN, before its close completes: the next connection is served, not refused", async () => {
    const accepted: Socket[] = [];
    const rejected: Socket[] = [];
    const listener = await listen((socket) => accepted.push(socket), (socket) => rejected.push(socket));
    // allowHalfOpen: this host sends FIN but keeps its own side open, so only the FIN can have freed the slot.
    const leaving = await dial(listener.port, { allowHalfOpen: true });
    await vi.waitFor(() => expect(listener.connection).toBeDefined());
    leaving.end();
    await vi.waitFor(() => expect(listener.connection).toBeUndefined());
    await dial(listener.port);
    await vi.waitFor(() => expect(accepted).toHaveLength(2));
    expect(rejected).toEqual([]);
  });

  it('closes a client that never sends a byte after dropSilentHostAfterMs (real socket, short limit)', async () => {
    const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0', dropSilentHostAfterMs: 150 });
    cleanups.push(() => sim.close());
    const dropped: ProtocolError[] = [];
    sim.keypad.on('host-dropped', (error) => dropped.push(error));
    const silent = await dial(portOf(sim));
    silent.resume();
    await once(silent, 'close');
    expect(dropped.map((e) => e.code)).toEqual(['LINK_DEAD']);
    expect(sim.keypad.connected).toBe(false);
  });

  it('keeps a host that talks: each valid frame starts the silence count again (virtual time)', async () => {
    const clock = new SimulatedClock();
    const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0', clock });
    cleanups.push(() => sim.close());
    const dropped: ProtocolError[] = [];
    sim.keypad.on('host-dropped', (error) => dropped.push(error));
    const host = await dial(portOf(sim));
    host.resume();
    for (let seq = 0; seq < 4; seq++) {
      host.write(encodeFrame(seq === 0 ? { type: 'HELLO', minVersion: 1, maxVersion: 1 } : { type: 'PING', nonce: seq }, seq));
      await vi.waitFor(() => expect(sim.keypad.attachment?.link.stats.delivered).toBe(seq + 1));
      clock.increment(HOST_SILENT_DROP_MS - 1);
    }
    expect(dropped).toEqual([]);
    expect(sim.keypad.connected).toBe(true);
    clock.increment(HOST_SILENT_DROP_MS);
    expect(dropped.map((e) => e.code)).toEqual(['LINK_DEAD']);
  });

  it('refuses a silence limit that is not a positive number of milliseconds', async () => {
    for (const dropSilentHostAfterMs of [0, -1, Number.NaN, Infinity]) {
      await expect(startSimulator({ listen: 'tcp://127.0.0.1:0', dropSilentHostAfterMs })).rejects.toThrow(SimulatorOptionsError);
    }
  });
});

function portOf(sim: RunningSimulator): number {
  return Number(sim.address.split(':').at(-1));
}
