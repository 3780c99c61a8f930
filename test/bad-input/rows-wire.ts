/**
 * Bad bytes on the wire. The keypad's side shows the receiver rules (PROTOCOL.md §2.4, §3.5, §6): the driver
 * runs the same FrameDecoder and LinkEndpoint, so it answers the keypad's bad frames the same way.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { expect, vi } from 'vitest';
import { startSimulator } from '../../device-sim/index.js';
import { TenkeyError } from '../../host-driver/index.js';
import { cobsDecode, encodeFrame, FLAG_FROM_DEVICE, FrameDecoder, MessageType, type DeviceMessage, type Frame } from '../../protocol/index.js';
import { rawFrame } from '../protocol/raw-frame.js';
import { BAD_COBS_BYTES, badCrcFrame } from './bad-frames.js';
import type { BadInputRow } from './bad-input-row.js';
import { withCleanup } from './check-scope.js';
import { driverOnSimulator, entryOpen, openFailure } from './driver-on-simulator.js';
import { keypadOnWire } from './keypad-on-wire.js';
import { BAD_FILL, GOOD_FILL, ksnOf, resultFor, ruleBreakingKeypad } from './rule-breaking-keypad.js';

const getInfo = (seq: number, retransmission = false): Buffer => encodeFrame({ type: 'GET_INFO' }, seq, { retransmission });

/** Types of the messages the keypad sent (retransmissions and ACK/NAK left out). */
const answered = (wire: ReturnType<typeof keypadOnWire>): string[] => wire.host.messages().map((m) => m.type);
const naks = (wire: ReturnType<typeof keypadOnWire>): string[] => wire.replies().filter((r) => r.includes('NAK'));

/** A header-intact frame that fails a check after the CRC: dropped with `drop`, NAKed with `reason`, never delivered. */
function nakedRow(input: string, answer: string, frame: Buffer, drop: string, reason: string): BadInputRow {
  return {
    area: 'wire', input, answer,
    check: () => withCleanup(async (defer) => {
      const wire = keypadOnWire(defer);
      await wire.write(frame);
      expect(wire.drops).toEqual([drop]);
      expect(wire.replies()).toEqual([`4:NAK ${reason}`]);
      expect(wire.keypad.activeSessionId).toBeUndefined();
    }),
  };
}

/** A STATUS the keypad reports (the entry state, digit count, seconds left). */
function statusOf(sessionId: number, state: 'IDLE' | 'PAN' | 'EXPIRY' | 'DONE', digits: number, secondsLeft: number): DeviceMessage {
  const field = state === 'PAN' || state === 'EXPIRY' ? state : 'NONE';
  return { type: 'STATUS', state, sessionId, field, digits, secondsLeft, notice: 'NONE' };
}

/** Lets the driver act on whatever it has just ACKed. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/** START_ENTRY whose reveal byte (payload offset 6, PROTOCOL.md §5.4) is 9, with a correct CRC. */
function startEntryRevealing9(): Buffer {
  const valid = encodeFrame({ type: 'START_ENTRY', sessionId: 5, inactivityTimeoutS: 0, reveal: 3, expiryRequired: true, acceptedBrands: [] }, 4);
  const body = cobsDecode(valid.subarray(0, -1));
  const payload = Buffer.from(body.subarray(6, -2));
  payload[6] = 9;
  return rawFrame({ type: MessageType.START_ENTRY, seq: 4, payload });
}

export const wireRows: BadInputRow[] = [
  {
    area: 'wire',
    input: 'line noise between two frames',
    answer: 'dropped up to the next `0x00` (counted in the decoder stats, never answered); the frames on either side are served',
    check: () => withCleanup(async (defer) => {
      const wire = keypadOnWire(defer);
      await wire.write(getInfo(0), Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]), encodeFrame({ type: 'GET_STATUS' }, 1));
      await wire.host.settle();
      expect(wire.drops).toHaveLength(1);
      expect(wire.keypad.attachment!.decoder.stats.droppedBytes).toBe(4);
      expect(answered(wire)).toEqual(['INFO', 'STATUS']);
      expect(naks(wire)).toEqual([]);
    }),
  },
  {
    area: 'wire',
    input: 'a frame cut in two by a stray `0x00`',
    answer: 'both pieces dropped as `TOO_SHORT`, no answer (nothing in them can be trusted); the sender\'s retransmission is served',
    check: () => withCleanup(async (defer) => {
      const wire = keypadOnWire(defer);
      const frame = getInfo(0);
      const middle = frame.length >> 1;
      await wire.write(Buffer.concat([frame.subarray(0, middle), Buffer.of(0), frame.subarray(middle)]));
      expect(wire.drops).toEqual(['TOO_SHORT', 'TOO_SHORT']);
      expect(wire.replies()).toEqual([]);
      await wire.write(getInfo(0, true));
      expect(wire.replies()).toEqual(['0:ACK', '0:INFO']);
    }),
  },
  {
    area: 'wire',
    input: 'a frame whose CRC does not match',
    answer: 'dropped as `BAD_CRC`, no NAK (its header cannot be trusted); the sender\'s retransmission is served',
    check: () => withCleanup(async (defer) => {
      const wire = keypadOnWire(defer);
      await wire.write(badCrcFrame());
      expect(wire.drops).toEqual(['BAD_CRC']);
      expect(wire.replies()).toEqual([]);
      await wire.write(getInfo(0, true));
      expect(wire.replies()).toEqual(['0:ACK', '0:INFO']);
    }),
  },
  {
    area: 'wire',
    input: 'bad COBS: a code byte pointing past the end of the frame',
    answer: 'dropped as `BAD_COBS`, no NAK; the next frame is served',
    check: () => withCleanup(async (defer) => {
      const wire = keypadOnWire(defer);
      await wire.write(BAD_COBS_BYTES, getInfo(0));
      expect(wire.drops).toEqual(['BAD_COBS']);
      expect(wire.replies()).toEqual(['0:ACK', '0:INFO']);
    }),
  },
  {
    area: 'wire',
    input: '5000 bytes with no delimiter',
    answer: 'dropped once as `TOO_LONG`; the decoder never holds more than the largest frame and resyncs at the next `0x00`',
    check: () => withCleanup(async (defer) => {
      const wire = keypadOnWire(defer);
      const { decoder } = wire.keypad.attachment!;
      await wire.write(Buffer.alloc(5000, 0x55));
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(decoder.maxEncodedSize);
      await wire.write(Buffer.of(0), getInfo(0));
      expect(wire.drops).toEqual(['TOO_LONG']);
      expect(wire.replies()).toEqual(['0:ACK', '0:INFO']);
    }),
  },
  nakedRow('a length field that disagrees with the payload', 'dropped as `BAD_LENGTH`, NAK `BAD_LENGTH`, not delivered',
    rawFrame({ type: MessageType.GET_INFO, seq: 4, lengthField: 3 }), 'BAD_LENGTH', 'BAD_LENGTH'),
  nakedRow('an unknown message type (0x7F)', 'dropped as `UNKNOWN_TYPE`, NAK `UNKNOWN_TYPE`, not delivered',
    rawFrame({ type: 0x7f, seq: 4 }), 'UNKNOWN_TYPE', 'UNKNOWN_TYPE'),
  nakedRow('reserved flag bits set', 'dropped as `BAD_FLAGS`, NAK `BAD_PAYLOAD`, not delivered',
    rawFrame({ type: MessageType.GET_INFO, seq: 4, flags: 0x80 }), 'BAD_FLAGS', 'BAD_PAYLOAD'),
  nakedRow('frame header version 2', 'dropped as `UNSUPPORTED_VERSION`, NAK `UNSUPPORTED_VERSION`, not delivered',
    rawFrame({ type: MessageType.GET_INFO, seq: 4, version: 2 }), 'UNSUPPORTED_VERSION', 'UNSUPPORTED_VERSION'),
  nakedRow('a field out of range: START_ENTRY with reveal 9', 'dropped as `BAD_PAYLOAD`, NAK `BAD_PAYLOAD`: no entry starts',
    startEntryRevealing9(), 'BAD_PAYLOAD', 'BAD_PAYLOAD'),
  {
    area: 'wire',
    input: 'the same frame twice (same sequence number, its ACK lost)',
    answer: 'ACKed again but delivered once: one answer for two copies',
    check: () => withCleanup(async (defer) => {
      const wire = keypadOnWire(defer);
      await wire.write(getInfo(3), getInfo(3, true));
      expect(wire.replies()).toEqual(['3:ACK', '0:INFO', '3:ACK']);
      expect(wire.keypad.attachment!.link.stats.duplicates).toBe(1);
    }),
  },
  {
    area: 'wire',
    input: 'a NAK for the driver\'s frame (a keypad refusing HELLO)',
    answer: 'not retransmitted: the send fails `NAK_RECEIVED`, so `openTenkey` rejects `TEMPORARY` / `NAK_RECEIVED`',
    check: () => withCleanup(async (defer) => {
      const received: Frame[] = [];
      const sockets: Socket[] = [];
      // A peer that refuses every frame it gets with NAK NOT_READY.
      const server = createServer((socket) => {
        sockets.push(socket);
        const decoder = new FrameDecoder();
        socket.on('error', () => {});
        socket.on('data', (bytes) => decoder.write(bytes));
        decoder.on('data', (frame: Frame) => {
          received.push(frame);
          if (frame.message.type !== 'ACK') socket.write(encodeFrame({ type: 'NAK', reason: 'NOT_READY' }, frame.seq, { fromDevice: true }));
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      defer(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
      const { port } = server.address() as AddressInfo;
      const error = await openFailure(defer, { device: `tcp://127.0.0.1:${port}`, reconnect: false });
      expect(error).toBeInstanceOf(TenkeyError);
      expect(error).toMatchObject({ code: 'TEMPORARY', reason: 'NAK_RECEIVED' });
      expect(received.map((f) => f.message.type)).toEqual(['HELLO']);
    }),
  },
  {
    area: 'wire',
    input: 'silence: a keypad that never answers',
    answer: '1 + 3 attempts per frame, then `NO_ACK`: `openTenkey` rejects `CONNECTION` / `NO_ACK`',
    check: () => withCleanup(async (defer) => {
      const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0', faults: 'silent' });
      defer(() => sim.close());
      const error = await openFailure(defer, { device: sim.address, link: { ackTimeoutMs: 50 }, reconnect: false });
      expect(error).toBeInstanceOf(TenkeyError);
      expect(error).toMatchObject({ code: 'CONNECTION', reason: 'NO_ACK' });
      expect((error as TenkeyError).cause).toMatchObject({ code: 'NO_ACK', details: { type: 'HELLO', attempts: 4 } });
    }),
  },
  {
    area: 'wire',
    input: 'the keypad\'s port vanishing mid-entry (PTY closed)',
    answer: 'the entry fails `CONNECTION` with the port\'s OS error as reason (`EBADF` or `EIO`, by what the port was doing), kept whole as the standard `cause`',
    check: () => withCleanup(async (defer) => {
      const { sim, keypad, progress } = await driverOnSimulator(defer, { transport: 'pty' });
      const reading = keypad.readCard().then(() => undefined, (e: unknown) => e);
      await entryOpen(progress);
      await sim.keypad.type('41');
      await sim.vanish();
      const error = await reading;
      expect(error).toBeInstanceOf(TenkeyError);
      expect(error).toMatchObject({ code: 'CONNECTION' });
      expect(['EBADF', 'EIO']).toContain((error as TenkeyError).reason);
      expect((error as TenkeyError).cause?.message).toMatch(/bad file descriptor|i\/o error/i);
    }),
  },
  {
    area: 'wire',
    input: 'a RESULT from the keypad for another session id',
    answer: 'ACKed and ignored (PROTOCOL.md §9.8): it never ends the entry, which goes on to its own RESULT',
    check: () => withCleanup(async (defer) => {
      const { link, startEntry } = await ruleBreakingKeypad(defer);
      const read = await startEntry();
      // link.send resolves on the driver's ACK.
      for (const other of [read.sessionId + 1, read.sessionId ^ 0x8000_0000]) await link.send(resultFor(other >>> 0, BAD_FILL));
      await settle();
      expect(read.settled).toBe(false);
      await link.send(resultFor(read.sessionId, GOOD_FILL));
      expect((await read.done).keySerialNumber).toBe(ksnOf(GOOD_FILL));
    }),
  },
  {
    area: 'wire',
    input: 'a RESULT from the keypad when no entry runs',
    answer: 'ACKed and ignored: no progress event, the keypad stays free, the next readCard gets its own RESULT',
    check: () => withCleanup(async (defer) => {
      const { keypad, progress, link, startEntry } = await ruleBreakingKeypad(defer);
      for (const sessionId of [0, 1, 0xffff_ffff]) await link.send(resultFor(sessionId, BAD_FILL));
      await settle();
      expect(progress).toEqual([]);
      expect(keypad.busy).toBe(false);
      const read = await startEntry();
      await link.send(resultFor(read.sessionId, GOOD_FILL));
      expect((await read.done).keySerialNumber).toBe(ksnOf(GOOD_FILL));
    }),
  },
  {
    area: 'wire',
    input: 'a STATUS from the keypad for another session id',
    answer: 'ACKed and ignored (§9.8), even one saying DONE or IDLE: progress keeps the entry\'s own state, the entry goes on to its own RESULT '
      + '(only the answer to the driver\'s own GET_STATUS probe naming another session ends it, `TEMPORARY` / `RESULT_LOST`, §9.7)',
    check: () => withCleanup(async (defer) => {
      const { progress, link, startEntry } = await ruleBreakingKeypad(defer);
      const read = await startEntry();
      await link.send(statusOf(read.sessionId, 'PAN', 0, 60));
      const other = (read.sessionId + 1) >>> 0;
      for (const status of [statusOf(other, 'EXPIRY', 3, 7), statusOf(other, 'DONE', 0, 0), statusOf(0, 'IDLE', 0, 0)]) await link.send(status);
      await settle();
      expect(read.settled).toBe(false);
      expect(progress.at(-1)).toMatchObject({ sessionId: read.sessionId, state: 'PAN', digits: 0, secondsLeft: 60 });
      expect(progress.map((p) => p.state)).not.toContain('EXPIRY');
      await link.send(resultFor(read.sessionId, GOOD_FILL));
      expect((await read.done).keySerialNumber).toBe(ksnOf(GOOD_FILL));
    }),
  },
  {
    area: 'wire',
    input: 'a host-only message from the keypad (RESET with the device\'s direction flag)',
    answer: 'NAK `WRONG_DIRECTION`, not delivered; the running entry goes on',
    check: () => withCleanup(async (defer) => {
      const { link, socket, naks, startEntry } = await ruleBreakingKeypad(defer);
      const read = await startEntry();
      socket.write(rawFrame({ flags: FLAG_FROM_DEVICE, seq: 30, type: MessageType.RESET }));
      await vi.waitFor(() => expect(naks()).toEqual([{ seq: 30, reason: 'WRONG_DIRECTION' }]), { timeout: 5000 });
      expect(read.settled).toBe(false);
      await link.send(resultFor(read.sessionId, GOOD_FILL));
      expect((await read.done).keySerialNumber).toBe(ksnOf(GOOD_FILL));
    }),
  },
  {
    area: 'wire',
    input: 'a flood of PINGs from the keypad (200 back to back)',
    answer: 'each refused NAK `WRONG_DIRECTION`, none taken as a message; the driver stays usable (readCard, ping)',
    check: () => withCleanup(async (defer) => {
      const { keypad, link, socket, naks, acked, startEntry } = await ruleBreakingKeypad(defer);
      const pings = 200;
      socket.write(Buffer.concat(Array.from({ length: pings }, (_, i) => rawFrame({
        flags: FLAG_FROM_DEVICE, seq: (i + 1) & 0xff, type: MessageType.PING, payload: [0, 0, 0, i],
      }))));
      await vi.waitFor(() => expect(naks()).toHaveLength(pings), { timeout: 5000 });
      expect(new Set(naks().map((n) => n.reason))).toEqual(new Set(['WRONG_DIRECTION']));
      expect(acked()).toEqual([0]); // INFO's only
      const read = await startEntry();
      await link.send(resultFor(read.sessionId, GOOD_FILL));
      expect((await read.done).keySerialNumber).toBe(ksnOf(GOOD_FILL));
      expect(await keypad.ping()).toBeGreaterThanOrEqual(0);
    }),
  },
  {
    area: 'wire',
    input: 'PONGs from the keypad that answer no PING',
    answer: 'ACKed and ignored (§6.4): no progress event; the running entry goes on to its own RESULT',
    check: () => withCleanup(async (defer) => {
      const { progress, link, startEntry } = await ruleBreakingKeypad(defer);
      const read = await startEntry();
      const seen = progress.length;
      for (let nonce = 1; nonce <= 20; nonce++) await link.send({ type: 'PONG', nonce: 0x1000 + nonce });
      await settle();
      expect(progress).toHaveLength(seen);
      expect(read.settled).toBe(false);
      await link.send(resultFor(read.sessionId, GOOD_FILL));
      expect((await read.done).keySerialNumber).toBe(ksnOf(GOOD_FILL));
    }),
  },
];
