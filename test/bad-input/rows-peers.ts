/**
 * Hostile and unlucky peers (issue #13): floods that would grow the other end's memory, hosts that go silent without
 * closing, and a host that closes and reopens at once. Real sockets where a user would have them; the keypad's
 * timeouts run on virtual time. The two floods that only show once megabytes of kernel socket buffers have filled
 * (PING to the keypad, STATUS to the driver) run on in-memory streams that never drain, which is what a socket whose
 * peer stops reading becomes; `npm run bench` (case flood) runs both over real TCP for a minute.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { expect, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { startSimulator, type RunningSimulator } from '../../device-sim/index.js';
import { VirtualKeypad } from '../../device-sim/virtual-keypad.js';
import { openTenkey, TenkeyError, type TenkeyLogger } from '../../host-driver/index.js';
import { openTenkeyOverTransport } from '../../host-driver/open-over-transport.js';
import {
  encodeFrame, HOST_SILENT_DROP_MS, systemClock, LINK_DEAD_AFTER_MS, MAX_QUEUED_SENDS, MAX_UNWRITTEN_BYTES, type ProtocolError,
} from '../../protocol/index.js';
import { NOW } from '../device-sim/simulators.js';
import type { BadInputRow } from './bad-input-row.js';
import { withCleanup, type Defer } from './check-scope.js';
import { keysOf } from './driver-on-simulator.js';
import { FloodingKeypadTransport, floodKeypad } from './flooding-peers.js';

const VISA = keysOf('pan:visa', 'enter', 'exp:valid', 'enter');
const portOf = (sim: RunningSimulator): number => Number(sim.address.split(':').at(-1));

/** A TCP keypad that types a Visa card at each entry; every host it drops is kept. */
async function keypadServing(defer: Defer, clock?: SimulatedClock): Promise<{ sim: RunningSimulator; dropped: ProtocolError[] }> {
  const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0', keys: VISA, now: NOW, ...(clock ? { clock } : {}) });
  defer(() => sim.close());
  const dropped: ProtocolError[] = [];
  sim.keypad.on('host-dropped', (error) => dropped.push(error));
  return { sim, dropped };
}

/** An honest host reads one card end to end (keepalive off when the keypad runs on virtual time). */
async function honestEntryReadsVisa(sim: RunningSimulator, clock?: SimulatedClock): Promise<void> {
  const keypad = await openTenkey({ device: sim.address, reconnect: false, ...(clock ? { link: { pingIntervalMs: false, deadAfterMs: false } } : {}) });
  try {
    expect(await keypad.readCard()).toMatchObject({ brand: 'visa' });
  } finally {
    await keypad.close();
  }
}

/** A raw TCP client that never reads; `hello` says HELLO once (so the keypad has heard it). */
async function rawHost(defer: Defer, sim: RunningSimulator, hello: boolean): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port: portOf(sim) });
  defer(() => socket.destroy());
  socket.on('error', () => {});
  socket.resume(); // what the keypad answers is read and ignored, so its close reaches us as 'close'
  await once(socket, 'connect');
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  if (hello) socket.write(encodeFrame({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, 0));
  await vi.waitFor(() => expect(sim.keypad.connected && (!hello || sim.keypad.attachment!.link.stats.delivered > 0)).toBe(true));
  return { socket, closed };
}

/** What openTenkey rejects with, as `code / cause`; 'opened' when it opens (then closed again). */
async function openOutcome(sim: RunningSimulator): Promise<string> {
  try {
    const keypad = await openTenkey({ device: sim.address, reconnect: false, link: { pingIntervalMs: false, deadAfterMs: false } });
    await keypad.close();
    return 'opened';
  } catch (error) {
    return error instanceof TenkeyError ? `${error.code} / ${error.reason}` : String(error);
  }
}

export const peerRows: BadInputRow[] = [
  {
    area: 'wire',
    input: 'a host that floods GET_STATUS and never reads or acknowledges an answer (TCP)',
    answer: `dropped with \`QUEUE_FULL\` once ${MAX_QUEUED_SENDS} answers wait: event \`host-dropped\`, a line from \`tenkey sim\`, its connection closed; the next host reads a card`,
    check: () => withCleanup(async (defer) => {
      const { sim, dropped } = await keypadServing(defer);
      const flood = await floodKeypad(portOf(sim), 'GET_STATUS');
      defer(() => flood.stop());
      await flood.closed;
      expect(dropped.map((e) => e.code)).toEqual(['QUEUE_FULL']);
      expect(dropped[0]!.details).toMatchObject({ limit: MAX_QUEUED_SENDS });
      await honestEntryReadsVisa(sim);
    }),
  },
  {
    area: 'wire',
    input: 'a host that floods PING and never reads (the write buffer fills)',
    answer: `dropped with \`PEER_NOT_READING\` when ${MAX_UNWRITTEN_BYTES / 1024} KiB wait unwritten; never more than that is buffered for it`,
    check: () => withCleanup(async (defer) => {
      const keypad = new VirtualKeypad({ clock: new SimulatedClock() });
      defer(() => keypad.close());
      // The write side of a host that never reads: nothing written is ever taken.
      const stream = new Duplex({ read() {}, write() {} });
      keypad.attach(stream, { closeOnDrop: true });
      const dropped: ProtocolError[] = [];
      keypad.on('host-dropped', (error) => dropped.push(error));
      let mostUnwritten = 0;
      stream.push(encodeFrame({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, 0));
      for (let nonce = 1; nonce <= 20_000 && !stream.destroyed; nonce++) {
        stream.push(encodeFrame({ type: 'PING', nonce }, nonce & 0xff));
        if (nonce % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
        mostUnwritten = Math.max(mostUnwritten, stream.writableLength);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(dropped.map((e) => e.code)).toEqual(['PEER_NOT_READING']);
      expect(mostUnwritten).toBeLessThanOrEqual(MAX_UNWRITTEN_BYTES);
      expect(stream.destroyed).toBe(true);
      expect(keypad.connected).toBe(false);
    }),
  },
  {
    area: 'wire',
    input: 'a keypad that answers HELLO, then floods STATUS and never reads',
    answer: `the driver drops it: \`CONNECTION\` / \`PEER_NOT_READING\` and a \`keypad connection lost\` warning, with at most ${MAX_UNWRITTEN_BYTES / 1024} KiB of ACKs buffered`,
    check: () => withCleanup(async (defer) => {
      // In memory: over TCP the kernel's socket buffers (megabytes) must fill first; the flood bench does that.
      const flooder = new FloodingKeypadTransport();
      const warnings: unknown[] = [];
      const logger: TenkeyLogger = { debug() {}, info() {}, warn: (message, fields) => warnings.push({ message, cause: fields?.cause }), error() {} };
      const keypad = await openTenkeyOverTransport({
        address: flooder.description, openTransport: async () => flooder, acceptedBrands: ['visa'], clock: systemClock, logger,
        reconnect: false, connectTimeoutMs: 3000, link: {},
      });
      defer(() => keypad.close());
      const [event] = await once(keypad, 'connection') as [{ status: string; error?: TenkeyError }];
      expect(event.status).toBe('disconnected');
      expect(event.error).toMatchObject({ code: 'CONNECTION', reason: 'PEER_NOT_READING' });
      expect(warnings).toEqual([{ message: 'keypad connection lost', cause: 'PEER_NOT_READING' }]);
      expect(flooder.mostUnwritten).toBeLessThanOrEqual(MAX_UNWRITTEN_BYTES);
    }),
  },
  {
    area: 'wire',
    input: 'a client that connects to the TCP keypad and never sends a byte',
    answer: `its connection is closed after \`HOST_SILENT_DROP_MS\` (${HOST_SILENT_DROP_MS / 1000} s, 4 × LINK_DEAD) with \`LINK_DEAD\`: it cannot hold the keypad's one host slot`,
    check: () => withCleanup(async (defer) => {
      const clock = new SimulatedClock();
      const { sim, dropped } = await keypadServing(defer, clock);
      const silent = await rawHost(defer, sim, false);
      clock.increment(HOST_SILENT_DROP_MS - 1);
      expect(dropped).toEqual([]);
      clock.increment(1);
      expect(dropped.map((e) => e.code)).toEqual(['LINK_DEAD']);
      await silent.closed;
      await honestEntryReadsVisa(sim, clock);
    }),
  },
  {
    area: 'wire',
    input: 'a host gone silent without closing (half-open TCP), then a new host',
    answer: `the new host gets \`BUSY\` while the old one was heard within \`LINK_DEAD_AFTER_MS\` (${LINK_DEAD_AFTER_MS / 1000} s); after that it replaces the old one, whose connection is closed`,
    check: () => withCleanup(async (defer) => {
      const clock = new SimulatedClock();
      const { sim } = await keypadServing(defer, clock);
      const gone = await rawHost(defer, sim, true);
      clock.increment(LINK_DEAD_AFTER_MS - 1);
      expect(await openOutcome(sim)).toBe('TEMPORARY / BUSY');
      clock.increment(1);
      expect(await openOutcome(sim)).toBe('opened');
      await gone.closed;
    }),
  },
  {
    area: 'wire',
    input: 'openTenkey, close(), openTenkey again at once, 100 times (TCP)',
    answer: "never `BUSY`: close() resolves once the keypad has answered the host's FIN (at most 1 s), and the keypad frees its slot on a host's FIN",
    check: () => withCleanup(async (defer) => {
      const { sim } = await keypadServing(defer);
      const outcomes = new Set<string>();
      for (let cycle = 0; cycle < 100; cycle++) outcomes.add(await openOutcome(sim));
      expect([...outcomes]).toEqual(['opened']);
    }),
  },
];
