/**
 * The driver's side of the wire rows (PROTOCOL.md §9.8): the real driver, opened over real TCP to a scripted
 * keypad (the real FrameDecoder and a device-role LinkEndpoint) that sends what no well-behaved keypad would.
 * Scoped by `defer`, no vitest hooks: test/host-driver/fake-device.ts registers them at import, which
 * `npm run docs` cannot load.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { expect, vi } from 'vitest';
import { openTenkey, type CardReadResult, type EntryProgress, type TenkeyKeypad } from '../../host-driver/index.js';
import { FrameDecoder, LinkEndpoint, type DeviceMessage, type Frame, type NakReasonName } from '../../protocol/index.js';
import type { Defer } from './check-scope.js';

/** KSN fill of a RESULT the driver must ignore; the entry's own RESULT carries GOOD_FILL. */
export const BAD_FILL = 0xbb;
export const GOOD_FILL = 0xaa;

/** A RESULT whose key serial number and block are all `fill` bytes (no card behind it). */
export function resultFor(sessionId: number, fill: number): DeviceMessage {
  return {
    type: 'RESULT', sessionId, brand: 'visa', last: '111',
    keySerialNumber: new Uint8Array(12).fill(fill), encryptedBlock: new Uint8Array(48).fill(fill),
  };
}

/** The key serial number readCard reports for a RESULT of `fill`. */
export const ksnOf = (fill: number): string => Buffer.alloc(12, fill).toString('hex');

/** A readCard in progress, watched without being awaited. */
export interface WatchedRead {
  /** The session id of its START_ENTRY, as the keypad received it. */
  sessionId: number;
  readonly settled: boolean;
  /** Resolves with the card, rejects with the driver's error. */
  done: Promise<CardReadResult>;
}

export interface RuleBreakingKeypad {
  /** The driver, connected. */
  keypad: TenkeyKeypad;
  /** Every progress event the driver emitted. */
  progress: EntryProgress[];
  /** The scripted keypad's link (sends with the device's flag, waits for the driver's ACK). */
  link: LinkEndpoint;
  /** The scripted keypad's socket, for raw bytes. */
  socket: Socket;
  /** Starts readCard and resolves once the keypad has its START_ENTRY. */
  startEntry(): Promise<WatchedRead>;
  /** The seq of every frame the driver ACKed, in order. */
  acked(): number[];
  /** Every NAK the driver sent. */
  naks(): { seq: number; reason: NakReasonName }[];
}

const INFO: DeviceMessage = {
  type: 'INFO', protocolVersion: 1, model: 'RULE-BREAKER', firmwareVersion: '1', serialNumber: 'RB-1',
  keySetId: new Uint8Array(8).fill(0x11), acceptedBrands: ['visa'],
};

export async function ruleBreakingKeypad(defer: Defer): Promise<RuleBreakingKeypad> {
  const fromHost: Frame[] = [];
  const entries: number[] = [];
  let device: { link: LinkEndpoint; socket: Socket } | undefined;
  const server = createServer({ noDelay: true }, (socket) => {
    const decoder = new FrameDecoder();
    const link = new LinkEndpoint({ role: 'device', write: (bytes) => { if (!socket.destroyed) socket.write(bytes); } });
    device = { link, socket };
    socket.on('data', (bytes) => decoder.write(bytes));
    socket.on('error', () => {});
    socket.on('close', () => link.close());
    decoder.on('data', (frame: Frame) => link.receiveFrame(frame));
    link.on('received', (frame) => fromHost.push(frame));
    link.on('message', (message) => {
      if (message.type === 'HELLO') link.send(INFO).catch(() => {});
      if (message.type === 'START_ENTRY') entries.push(message.sessionId);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  defer(() => new Promise<void>((resolve) => { device?.socket.destroy(); server.close(() => resolve()); }));

  const keypad = await openTenkey({ device: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, reconnect: false });
  defer(() => keypad.close());
  const progress: EntryProgress[] = [];
  keypad.on('progress', (p) => progress.push(p));
  const { link, socket } = device!;

  return {
    keypad, progress, link, socket,
    async startEntry() {
      const before = entries.length;
      const state = { settled: false };
      const done = keypad.readCard();
      done.then(() => (state.settled = true), () => (state.settled = true));
      // 5 s liveness bound, not a speed assertion.
      await vi.waitFor(() => expect(entries.length).toBeGreaterThan(before), { timeout: 5000 });
      return { sessionId: entries[before]!, done, get settled() { return state.settled; } };
    },
    acked: () => fromHost.flatMap((f) => (f.message.type === 'ACK' ? [f.seq] : [])),
    naks: () => fromHost.flatMap((f) => (f.message.type === 'NAK' ? [{ seq: f.seq, reason: f.message.reason }] : [])),
  };
}
