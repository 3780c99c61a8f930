/**
 * PROTOCOL.md §2.3, §2.4 and §3.5 as a device maker reads them, against the reference receiver (FrameDecoder and a
 * device-role LinkEndpoint): the 1,029-byte limit (and MAX_ENCODED_SIZE = 1,030 with the delimiter), the empty frame
 * that is no error, and where the direction checks stand in the ordered checks (after the payload checks).
 */
import { describe, expect, it } from 'vitest';
import {
  cobsEncode, decodeFrame, FrameDecoder, LinkEndpoint, MAX_BODY_SIZE, MAX_ENCODED_SIZE, MessageType,
  type Frame, type ProtocolError,
} from '../../protocol/index.js';
import { rawBody, rawFrame } from './raw-frame.js';

function receive(bytes: Buffer): { frames: Frame[]; drops: ProtocolError[]; decoder: FrameDecoder } {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  const drops: ProtocolError[] = [];
  decoder.on('data', (f: Frame) => frames.push(f));
  decoder.on('drop', (e: ProtocolError) => drops.push(e));
  decoder.write(bytes);
  return { frames, drops, decoder };
}

/** A device-role link fed by a decoder; what it wrote back, decoded. */
function deviceAnswers(bytes: Buffer): { answers: Frame[]; delivered: number } {
  const written: Buffer[] = [];
  const link = new LinkEndpoint({ role: 'device', write: (b) => written.push(b) });
  const decoder = new FrameDecoder();
  decoder.on('data', (f: Frame) => link.receiveFrame(f));
  decoder.on('drop', (e: ProtocolError) => link.receiveDrop(e));
  let delivered = 0;
  link.on('message', () => delivered++);
  decoder.write(bytes);
  link.close();
  return { answers: written.map((b) => decodeFrame(b)).flatMap((r) => (r.ok ? [r.frame] : [])), delivered };
}

describe('PROTOCOL.md §2.3: the largest frame', () => {
  // An unassigned type (0x7F) lets the payload be as large as the body allows; check 10 then refuses it.
  const frameOfBody = (bodySize: number) => rawFrame({ type: 0x7f, seq: 4, payload: new Uint8Array(bodySize - 8).fill(0x11) });

  it('a 1,024-byte body encodes to 1,029 bytes, is within the limit and passes the size checks', () => {
    const wire = frameOfBody(MAX_BODY_SIZE);
    expect(wire.length).toBe(1029 + 1);
    expect(MAX_ENCODED_SIZE).toBe(wire.length);
    const { drops } = receive(wire);
    expect(drops.map((e) => e.code)).toEqual(['UNKNOWN_TYPE']); // check 10, so checks 2 and 4 passed
    expect(deviceAnswers(wire).answers.map((f) => [f.seq, f.message])).toEqual([[4, { type: 'NAK', reason: 'UNKNOWN_TYPE' }]]);
  });

  it('one body byte more (1,030 encoded bytes) is TOO_LONG, without an answer', () => {
    const wire = frameOfBody(MAX_BODY_SIZE + 1);
    expect(wire.length).toBe(1030 + 1);
    expect(receive(wire).drops.map((e) => e.code)).toEqual(['TOO_LONG']);
    expect(deviceAnswers(wire).answers).toEqual([]);
  });
});

describe('PROTOCOL.md §2.4 / §3.5 check 1: the empty frame', () => {
  it('is ignored silently: no frame, no drop, no count, no answer', () => {
    const { frames, drops, decoder } = receive(Buffer.of(0, 0, 0, 0));
    expect(frames).toEqual([]);
    expect(drops).toEqual([]);
    expect(decoder.stats).toEqual({ frames: 0, droppedBytes: 0, dropped: {} });
    expect(deviceAnswers(Buffer.of(0, 0)).answers).toEqual([]);
  });
});

describe('PROTOCOL.md §3.5 checks 11–14: payload before direction', () => {
  const KEY = MessageType.KEY;
  const goodKeyPayload = [0, 0, 0, 9, 0x01, 0x01, 1, 0x00];

  it('a KEY with the host\'s direction and a payload of the wrong size: NAK BAD_LENGTH (check 11), not WRONG_DIRECTION', () => {
    const { answers, delivered } = deviceAnswers(rawFrame({ type: KEY, seq: 6, payload: goodKeyPayload.slice(0, 7) }));
    expect(answers.map((f) => [f.seq, f.message])).toEqual([[6, { type: 'NAK', reason: 'BAD_LENGTH' }]]);
    expect(delivered).toBe(0);
  });

  it('a KEY with the host\'s direction and a field out of range: NAK BAD_PAYLOAD (check 12)', () => {
    const { answers } = deviceAnswers(rawFrame({ type: KEY, seq: 6, payload: [0, 0, 0, 9, 0x09, 0x01, 1, 0x00] }));
    expect(answers.map((f) => f.message)).toEqual([{ type: 'NAK', reason: 'BAD_PAYLOAD' }]);
  });

  it('a well-formed KEY with the host\'s direction: NAK WRONG_DIRECTION (check 14), not delivered', () => {
    const { answers, delivered } = deviceAnswers(rawFrame({ type: KEY, seq: 6, payload: goodKeyPayload }));
    expect(answers.map((f) => [f.seq, f.message])).toEqual([[6, { type: 'NAK', reason: 'WRONG_DIRECTION' }]]);
    expect(delivered).toBe(0);
  });

  it('the receiver\'s own direction: no answer at any check from 7 on (an echo, check 13)', () => {
    for (const payload of [goodKeyPayload.slice(0, 7), [0, 0, 0, 9, 0x09, 0x01, 1, 0x00], goodKeyPayload]) {
      expect(deviceAnswers(rawFrame({ type: KEY, seq: 6, flags: 0x01, payload })).answers).toEqual([]);
    }
    expect(deviceAnswers(rawFrame({ type: 0x7f, seq: 6, flags: 0x01 })).answers).toEqual([]);
  });

  it('keeps rawBody honest: the frames above are what they claim (CRC right, COBS right)', () => {
    const body = rawBody({ type: KEY, seq: 6, payload: goodKeyPayload });
    expect(decodeFrame(Buffer.concat([cobsEncode(body), Buffer.of(0)])).ok).toBe(true);
  });
});
