/**
 * A hostile or buggy keypad (issue #7): a scripted device over a real TCP socket sends what no well-behaved
 * keypad would. Each case gets its documented handling (PROTOCOL.md section named in the title), never a crash,
 * and readCard never resolves with a RESULT that is not its entry's own.
 */
import { describe, expect, it } from 'vitest';
import { isTenkeyCancelled, type CardReadResult } from '../../host-driver/index.js';
import {
  FLAG_FROM_DEVICE, MAX_ENCODED_SIZE, MessageType, type DeviceMessage, type Frame, type StartEntryMessage,
} from '../../protocol/index.js';
import { rawFrame } from '../protocol/raw-frame.js';
import { fakeDevice, INFO, say, type FakeDeviceConnection } from './fake-device.js';
import { open, recordProgress } from './harness.js';

/** The RESULT a hostile device must not get accepted carries this KSN fill; the entry's own carries GOOD. */
const BAD = 0xbb;
const GOOD = 0xaa;

function result(sessionId: number, fill: number): DeviceMessage {
  return {
    type: 'RESULT', sessionId, brand: 'visa', last: '111',
    keySerialNumber: new Uint8Array(12).fill(fill), encryptedBlock: new Uint8Array(48).fill(fill),
  };
}

const ksnOf = (fill: number) => Buffer.alloc(12, fill).toString('hex');

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A device that answers HELLO with INFO and hands each START_ENTRY to `onStart`; every frame the driver sends
 * back (ACK, NAK) is kept in `fromHost`.
 */
async function hostileDevice(onStart: (start: StartEntryMessage, connection: FakeDeviceConnection) => void = () => {}) {
  const fromHost: Frame[] = [];
  let connection: FakeDeviceConnection | undefined;
  const device = await fakeDevice(
    (message, conn) => {
      if (message.type === 'HELLO') say(conn.link, { ...INFO, acceptedBrands: [...INFO.acceptedBrands] });
      if (message.type === 'START_ENTRY') onStart(message, conn);
    },
    (conn) => {
      connection = conn;
      conn.link.on('received', (frame) => fromHost.push(frame));
    },
  );
  const keypad = await open({ device: device.address });
  await until(() => connection !== undefined, 'the connection');
  const acksOf = (seq: number) => fromHost.filter((f) => f.message.type === 'ACK' && f.seq === seq).length;
  const naks = () => fromHost.flatMap((f) => (f.message.type === 'NAK' ? [{ seq: f.seq, reason: f.message.reason }] : []));
  return { keypad, device, fromHost, acksOf, naks, connection: () => connection! };
}

/** Tracks a readCard: state, and (once settled) its result or error. */
function track(read: Promise<CardReadResult>) {
  const state: { settled: boolean; result?: CardReadResult; error?: unknown } = { settled: false };
  read.then((r) => { state.settled = true; state.result = r; }, (e: unknown) => { state.settled = true; state.error = e; });
  return state;
}

describe('the driver against a hostile device', () => {
  it('hostile device: RESULT with another session id is ignored; the entry ends with its own RESULT (§9.1)', async () => {
    const { keypad } = await hostileDevice((start, { link }) => {
      say(link, result(start.sessionId + 1, BAD));
      say(link, result(start.sessionId ^ 0x8000_0000, BAD));
      say(link, result(start.sessionId, GOOD));
    });
    const card = await keypad.readCard();
    expect(card.keySerialNumber).toBe(ksnOf(GOOD));
  });

  it('hostile device: a RESULT with another session id alone never resolves readCard; cancel still ends it', async () => {
    let wrongDelivered: Promise<void> | undefined;
    const { keypad } = await hostileDevice((start, { link }) => {
      wrongDelivered = link.send(result(start.sessionId + 1, BAD));
    });
    const read = track(keypad.readCard());
    await until(() => wrongDelivered !== undefined, 'START_ENTRY');
    await wrongDelivered; // the driver ACKed it: it was received, and ignored
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(read.settled).toBe(false);
    await keypad.cancel();
    await until(() => read.settled, 'the cancelled readCard');
    expect(read.result).toBeUndefined();
    expect(isTenkeyCancelled(read.error)).toBe(true);
  });

  it('hostile device: RESULT without START_ENTRY is ACKed and ignored; the next entry gets its own (§9.7)', async () => {
    const { keypad, connection } = await hostileDevice((start, { link }) => say(link, result(start.sessionId, GOOD)));
    const progress = recordProgress(keypad);
    // Unasked, with no entry running: session ids the driver has not used, and session 0.
    for (const sessionId of [0, 1, 0xffff_ffff]) await connection().link.send(result(sessionId, BAD));
    expect(progress).toEqual([]);
    expect(keypad.busy).toBe(false);
    const card = await keypad.readCard();
    expect(card.keySerialNumber).toBe(ksnOf(GOOD));
  });

  it('hostile device: a repeated seq is a duplicate: ACKed again and not acted on, even with another message in it (§6.3)', async () => {
    let sessionId = 0;
    const { keypad, connection, acksOf } = await hostileDevice((start) => { sessionId = start.sessionId; });
    const progress = recordProgress(keypad);
    const read = track(keypad.readCard());
    await until(() => sessionId !== 0, 'START_ENTRY');
    const { writeRaw } = connection();
    writeRaw({ type: 'KEY', sessionId, keyClass: 'DIGIT', field: 'PAN', digits: 1, notice: 'NONE' }, 10);
    await until(() => acksOf(10) === 1, 'the ACK of seq 10');
    writeRaw(result(sessionId, BAD), 10); // same seq as the KEY just delivered
    await until(() => acksOf(10) === 2, 'the second ACK of seq 10');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(read.settled).toBe(false);
    expect(progress.filter((p) => p.key === 'DIGIT')).toHaveLength(1);
    writeRaw(result(sessionId, GOOD), 11);
    await until(() => read.settled, 'the RESULT with a fresh seq');
    expect(read.result?.keySerialNumber).toBe(ksnOf(GOOD));
    // The RESULT once more, as a retransmission: ACKed, ignored (the entry is settled).
    writeRaw(result(sessionId, BAD), 11);
    await until(() => acksOf(11) === 2, 'the ACK of the repeated RESULT');
  });

  it('hostile device: seqs out of order are new messages, each delivered once (§6.3: only the last seq is a duplicate)', async () => {
    let sessionId = 0;
    const { keypad, connection, acksOf } = await hostileDevice((start) => { sessionId = start.sessionId; });
    const progress = recordProgress(keypad);
    const read = keypad.readCard();
    await until(() => sessionId !== 0, 'START_ENTRY');
    const { writeRaw } = connection();
    for (const [seq, digits] of [[50, 1], [20, 2], [49, 3]] as const) {
      writeRaw({ type: 'KEY', sessionId, keyClass: 'DIGIT', field: 'PAN', digits, notice: 'NONE' }, seq);
      await until(() => acksOf(seq) === 1, `the ACK of seq ${seq}`);
    }
    writeRaw(result(sessionId, GOOD), 7);
    const card = await read;
    expect(card.keySerialNumber).toBe(ksnOf(GOOD));
    expect(progress.filter((p) => p.key === 'DIGIT').map((p) => p.digits)).toEqual([1, 2, 3]);
  });

  it('hostile device: an unknown message type is refused NAK UNKNOWN_TYPE, a host-only type NAK WRONG_DIRECTION; the entry goes on (§3.4, §3.5)', async () => {
    let sessionId = 0;
    const { keypad, connection, naks } = await hostileDevice((start) => { sessionId = start.sessionId; });
    const read = track(keypad.readCard());
    await until(() => sessionId !== 0, 'START_ENTRY');
    const { socket, writeRaw } = connection();
    socket.write(rawFrame({ flags: FLAG_FROM_DEVICE, seq: 30, type: 0x99, payload: [1, 2, 3] }));
    socket.write(rawFrame({ flags: FLAG_FROM_DEVICE, seq: 31, type: 0xef }));
    socket.write(rawFrame({ flags: FLAG_FROM_DEVICE, seq: 32, type: MessageType.RESET }));
    await until(() => naks().length === 3, 'three NAKs');
    expect(naks()).toEqual([
      { seq: 30, reason: 'UNKNOWN_TYPE' }, { seq: 31, reason: 'UNKNOWN_TYPE' }, { seq: 32, reason: 'WRONG_DIRECTION' },
    ]);
    expect(read.settled).toBe(false);
    writeRaw(result(sessionId, GOOD), 33);
    await until(() => read.settled, 'the RESULT');
    expect(read.result?.keySerialNumber).toBe(ksnOf(GOOD));
  });

  it('hostile device: oversized frames are dropped without an answer, and the frame after each gets through (§2.4, §3.5)', async () => {
    let sessionId = 0;
    const { keypad, connection, naks, acksOf } = await hostileDevice((start) => { sessionId = start.sessionId; });
    const read = track(keypad.readCard());
    await until(() => sessionId !== 0, 'START_ENTRY');
    const { socket, writeRaw } = connection();
    // A run of 10 frames' worth of bytes with no delimiter, then one well-formed frame whose body is too big.
    socket.write(Buffer.alloc(10 * MAX_ENCODED_SIZE, 0x41));
    socket.write(Buffer.of(0));
    socket.write(rawFrame({ flags: FLAG_FROM_DEVICE, seq: 40, type: MessageType.ERROR, payload: Buffer.alloc(2000, 0x42) }));
    writeRaw({ type: 'KEY', sessionId, keyClass: 'DIGIT', field: 'PAN', digits: 1, notice: 'NONE' }, 41);
    await until(() => acksOf(41) === 1, 'the ACK of the KEY after the oversized frames');
    expect(naks()).toEqual([]);
    expect(acksOf(40)).toBe(0);
    writeRaw(result(sessionId, GOOD), 42);
    await until(() => read.settled, 'the RESULT');
    expect(read.result?.keySerialNumber).toBe(ksnOf(GOOD));
  });

  it('hostile device: a stream of PINGs is refused NAK WRONG_DIRECTION one by one; the driver stays usable (§3.4)', async () => {
    const { keypad, connection, naks, acksOf } = await hostileDevice((start, { link }) => say(link, result(start.sessionId, GOOD)));
    const { socket, link } = connection();
    const pings = 500;
    const burst = Buffer.concat(Array.from({ length: pings }, (_, i) => rawFrame({
      flags: FLAG_FROM_DEVICE, seq: i & 0xff, type: MessageType.PING, payload: [0, 0, (i >> 8) & 0xff, i & 0xff],
    })));
    socket.write(burst);
    await until(() => naks().length === pings, `${pings} NAKs`);
    expect(new Set(naks().map((n) => n.reason))).toEqual(new Set(['WRONG_DIRECTION']));
    expect(acksOf(0)).toBe(1); // only INFO (seq 0) was ever ACKed: no PING was taken as a message
    // Unasked PONGs (a device message, but answering nothing) are ACKed and ignored.
    for (let nonce = 1; nonce <= 20; nonce++) await link.send({ type: 'PONG', nonce: 0x1000 + nonce });
    const card = await keypad.readCard();
    expect(card.keySerialNumber).toBe(ksnOf(GOOD));
    expect(await keypad.ping()).toBeGreaterThanOrEqual(0);
  });
});
