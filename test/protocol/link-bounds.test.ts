/**
 * The memory bounds both ends of the link keep whatever the peer does (issue #13): at most MAX_QUEUED_SENDS
 * messages wait behind the one on the wire, and at most MAX_UNWRITTEN_BYTES wait in a stream whose peer does not read.
 */
import { Writable } from 'node:stream';
import { SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { MAX_QUEUED_SENDS, MAX_UNWRITTEN_BYTES, type ProtocolError } from '../../protocol/index.js';
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
