/**
 * The memory bounds both ends of the link keep whatever the peer does (issue #13): at most MAX_QUEUED_SENDS
 * messages wait behind the one on the wire, and at most MAX_UNWRITTEN_BYTES wait in a stream whose peer does not read.
 */
import { Writable } from 'node:stream';
import { SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame, encodeFrame, MAX_QUEUED_SENDS, MAX_UNWRITTEN_BYTES, type Frame, type HostMessage, type ProtocolError,
} from '../../protocol/index.js';
import { LinkEndpoint } from '../../protocol/link.js';
import { writeWithinBudget } from '../../protocol/write-budget.js';

/** A stream whose peer never reads: the first write never completes, everything after it waits in Node's buffer. */
function neverDrained(): Writable {
  return new Writable({ write() {} });
}

describe('writeWithinBudget', () => {
  it('writes while the unwritten bytes stay within the budget, then refuses with PEER_NOT_READING and writes nothing', () => {
    const stream = neverDrained();
    const frame = Buffer.alloc(100, 1);
    let refused: ProtocolError | undefined;
    let written = 0;
    while (refused === undefined) {
      refused = writeWithinBudget(stream, frame, 1000);
      if (refused === undefined) written++;
      expect(stream.writableLength).toBeLessThanOrEqual(1000);
    }
    expect(written).toBe(10);
    expect(refused).toMatchObject({ code: 'PEER_NOT_READING', details: { unwrittenBytes: 1000, limit: 1000 } });
    expect(writeWithinBudget(stream, frame, 1000)?.code).toBe('PEER_NOT_READING');
    expect(stream.writableLength).toBe(1000);
  });

  it('uses MAX_UNWRITTEN_BYTES (64 KiB) by default', () => {
    const stream = neverDrained();
    expect(writeWithinBudget(stream, Buffer.alloc(MAX_UNWRITTEN_BYTES))).toBeUndefined();
    expect(writeWithinBudget(stream, Buffer.alloc(1))?.code).toBe('PEER_NOT_READING');
  });

  it('lets a stream that drains go on for ever', async () => {
    const stream = new Writable({ highWaterMark: 1, write(_chunk, _encoding, callback) { setImmediate(callback); } });
    for (let i = 0; i < 50; i++) {
      expect(writeWithinBudget(stream, Buffer.alloc(400), 1000)).toBeUndefined();
      if (stream.writableLength > 0) await new Promise((resolve) => stream.once('drain', resolve));
    }
  });
});

describe('LinkEndpoint queue limit', () => {
  it('refuses the send past maxQueuedSends with QUEUE_FULL and emits overflow once per refused send', async () => {
    const link = new LinkEndpoint({ role: 'device', clock: new SimulatedClock(), write: () => {}, maxQueuedSends: 3 });
    const overflows: ProtocolError[] = [];
    link.on('overflow', (error) => overflows.push(error));
    const sends = Array.from({ length: 6 }, () => link.send({ type: 'PONG', nonce: 1 }).catch((e: ProtocolError) => e.code));
    // One on the wire, three waiting: the fifth and sixth are refused; the rest wait for ACKs that never come.
    link.close();
    expect(await Promise.all(sends)).toEqual(['LINK_CLOSED', 'LINK_CLOSED', 'LINK_CLOSED', 'LINK_CLOSED', 'QUEUE_FULL', 'QUEUE_FULL']);
    expect(overflows.map((e) => e.code)).toEqual(['QUEUE_FULL', 'QUEUE_FULL']);
    expect(overflows[0]!.details).toMatchObject({ type: 'PONG', limit: 3 });
  });

  it('defaults to MAX_QUEUED_SENDS and rejects a limit that is not a positive integer', () => {
    const link = new LinkEndpoint({ role: 'device', clock: new SimulatedClock(), write: () => {} });
    let refused = 0;
    link.on('overflow', () => refused++);
    for (let i = 0; i <= MAX_QUEUED_SENDS + 1; i++) link.send({ type: 'PONG', nonce: i + 1 }).catch(() => {});
    expect(refused).toBe(1);
    link.close();
    for (const maxQueuedSends of [0, -1, 1.5, Number.NaN]) {
      expect(() => new LinkEndpoint({ role: 'host', write: () => {}, maxQueuedSends })).toThrow(TypeError);
    }
  });
});

describe('LinkEndpoint when its own ACK drops the peer', () => {
  /** A device link on a stream already holding MAX_UNWRITTEN_BYTES unread: its next write is refused, and then `drop` runs. */
  function deviceOnFullStream(drop: (link: LinkEndpoint) => void) {
    const stream = neverDrained();
    stream.write(Buffer.alloc(MAX_UNWRITTEN_BYTES));
    const refused: string[] = [];
    const link: LinkEndpoint = new LinkEndpoint({
      role: 'device', clock: new SimulatedClock(),
      write: (bytes) => {
        const error = writeWithinBudget(stream, bytes);
        if (error === undefined) return;
        refused.push(error.code);
        drop(link); // what the keypad's #dropHost does: close (TCP) or reset (PTY)
      },
    });
    const delivered: string[] = [];
    link.on('message', (message) => delivered.push(message.type));
    return { link, refused, delivered };
  }
  const frameOf = (message: HostMessage, seq: number): Frame => {
    const decoded = decodeFrame(encodeFrame(message, seq));
    if (!decoded.ok) throw decoded.error;
    return decoded.frame;
  };
  const START_ENTRY: HostMessage = { type: 'START_ENTRY', sessionId: 7, inactivityTimeoutS: 0, reveal: 3, expiryRequired: true, acceptedBrands: [] };

  for (const [how, drop] of [['closes', (link: LinkEndpoint) => link.close()], ['resets', (link: LinkEndpoint) => link.reset()]] as const) {
    it(`does not deliver the message whose ACK write was refused when the owner ${how} the link meanwhile`, () => {
      const { link, refused, delivered } = deviceOnFullStream(drop);
      link.receiveFrame(frameOf(START_ENTRY, 1));
      expect(refused).toEqual(['PEER_NOT_READING']);
      expect(delivered).toEqual([]);
      expect(link.stats.delivered).toBe(0);
    });

    it(`answers no PING whose ACK write was refused when the owner ${how} the link meanwhile`, () => {
      const { link, refused } = deviceOnFullStream(drop);
      const sent: string[] = [];
      link.on('sent', (frame) => sent.push(frame.message.type));
      link.receiveFrame(frameOf({ type: 'PING', nonce: 5 }, 1));
      // One refused write (the ACK): no PONG was queued on the dropped link to be refused in its turn.
      expect(refused).toEqual(['PEER_NOT_READING']);
      expect(sent).toEqual(['ACK']);
      expect(link.stats.delivered).toBe(0);
    });
  }

  it('still delivers when the ACK is written, or when a refused ACK leaves the link as it was', () => {
    const { link, refused, delivered } = deviceOnFullStream(() => {});
    link.receiveFrame(frameOf(START_ENTRY, 1));
    expect(refused).toEqual(['PEER_NOT_READING']);
    expect(delivered).toEqual(['START_ENTRY']);
    const open = new LinkEndpoint({ role: 'device', clock: new SimulatedClock(), write: () => {} });
    const got: string[] = [];
    open.on('message', (message) => got.push(message.type));
    open.receiveFrame(frameOf(START_ENTRY, 1));
    expect(got).toEqual(['START_ENTRY']);
  });
});
