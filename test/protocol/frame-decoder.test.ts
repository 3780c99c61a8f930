import { once } from 'node:events';
import net from 'node:net';
import { finished } from 'node:stream/promises';
import fc from 'fast-check';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeFrame, encodeFrame, FrameDecoder, MAX_BODY_SIZE, MAX_ENCODED_SIZE, ProtocolError, type Frame,
  type FrameDecoderOptions, type Message,
} from '../../protocol/index.js';
import { arbFrameSpec, type FrameSpec } from './arbitraries.js';

interface Decoded { frames: Frame[]; drops: { error: ProtocolError; raw: Buffer }[]; decoder: FrameDecoder; maxHeld: number }

/** Writes the chunks one by one, ends the stream, and collects everything it emitted. */
async function decodeChunks(chunks: Uint8Array[], options?: FrameDecoderOptions): Promise<Decoded> {
  const decoder = new FrameDecoder(options);
  const out: Decoded = { frames: [], drops: [], decoder, maxHeld: 0 };
  decoder.on('data', (frame: Frame) => out.frames.push(frame));
  decoder.on('drop', (error: ProtocolError, raw: Buffer) => out.drops.push({ error, raw }));
  for (const chunk of chunks) {
    decoder.write(chunk);
    out.maxHeld = Math.max(out.maxHeld, decoder.bufferedBytes);
  }
  decoder.end();
  await finished(decoder);
  return out;
}

/** Cuts bytes at the given fractions into consecutive chunks (some empty). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const positions = cuts.map((c) => Math.floor(c * bytes.length)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...positions, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

const wireOf = (specs: FrameSpec[]) => Buffer.concat(specs.map((s) => encodeFrame(s.message, s.seq, s.options)));
const messagesOf = (specs: FrameSpec[]) => specs.map((s) => s.message);
const ping = (nonce: number): Message => ({ type: 'PING', nonce });

describe('FrameDecoder', () => {
  describe('options', () => {
    it.each([
      ['a string maxBodySize', { maxBodySize: '1024' }],
      ['a fractional maxBodySize', { maxBodySize: 100.5 }],
      ['a maxBodySize below header + CRC', { maxBodySize: 7 }],
      ['a maxBodySize the length field cannot express', { maxBodySize: 65544 }],
    ])('throws TypeError for %s', (_name, options) => {
      expect(() => new FrameDecoder(options as unknown as FrameDecoderOptions)).toThrow(TypeError);
    });

    it('throws TypeError when options is not an object', () => {
      expect(() => new FrameDecoder(null as unknown as FrameDecoderOptions)).toThrow(TypeError);
    });

    it('defaults to MAX_BODY_SIZE and its encoded size', () => {
      const decoder = new FrameDecoder();
      expect(decoder.maxBodySize).toBe(MAX_BODY_SIZE);
      expect(decoder.maxEncodedSize).toBeLessThanOrEqual(MAX_ENCODED_SIZE);
    });
  });

  it('parses a frame written in one chunk', async () => {
    const { frames, decoder } = await decodeChunks([encodeFrame(ping(7), 3)]);
    expect(frames.map((f) => [f.seq, f.message])).toEqual([[3, ping(7)]]);
    expect(decoder.stats).toEqual({ frames: 1, droppedBytes: 0, dropped: {} });
  });

  it('parses a frame written one byte at a time', async () => {
    const wire = encodeFrame(ping(0xdeadbeef), 200);
    const { frames } = await decodeChunks([...wire].map((b) => Buffer.of(b)));
    expect(frames.map((f) => f.message)).toEqual([ping(0xdeadbeef)]);
  });

  it('gives the same frames for any chunking of a stream', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(arbFrameSpec, { maxLength: 12 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
      async (specs, cuts) => {
        const { frames, decoder } = await decodeChunks(split(wireOf(specs), cuts));
        expect(frames.map((f) => f.message)).toEqual(messagesOf(specs));
        expect(frames.map((f) => f.seq)).toEqual(specs.map((s) => s.seq));
        expect(decoder.stats.droppedBytes).toBe(0);
      }), { numRuns: 100 });
  });

  // Garbage can only be told apart from a frame at a delimiter: bytes glued to the front of a frame
  // make that frame bad. So each garbage run ends with 0x00 (as a sender's flush byte would), and a
  // run that happens to be a valid frame itself is not garbage.
  const arbGarbage = fc.uint8Array({ maxLength: 80 })
    .map((bytes) => Buffer.concat([Buffer.from(bytes), Buffer.of(0)]))
    .filter((g) => !anyValidFrame(g));

  function anyValidFrame(bytes: Buffer): boolean {
    let start = 0;
    for (let z = bytes.indexOf(0); z !== -1; start = z + 1, z = bytes.indexOf(0, start)) {
      if (decodeFrame(bytes.subarray(start, z)).ok) return true;
    }
    return false;
  }

  it('recovers every valid frame, in order, from between garbage runs', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(arbGarbage, arbFrameSpec), { maxLength: 10 }), arbGarbage,
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }),
      async (pairs, tail, cuts) => {
        const stream = Buffer.concat([...pairs.flatMap(([g, s]) => [g, wireOf([s])]), tail]);
        const { frames } = await decodeChunks(split(stream, cuts));
        expect(frames.map((f) => f.message)).toEqual(pairs.map(([, s]) => s.message));
      }), { numRuns: 100 });
  });

  it('never throws on random bytes, never holds more than the largest frame, and counts what it dropped', async () => {
    await fc.assert(fc.asyncProperty(
      // Mostly non-zero bytes, so long runs without a delimiter (the over-size path) are common.
      fc.array(fc.uint8Array({ maxLength: 400 }).map((a) => a.map((b) => (b < 4 ? 0 : b))), { maxLength: 12 }),
      fc.integer({ min: 8, max: 300 }),
      async (chunks, maxBodySize) => {
        const { decoder, maxHeld, frames } = await decodeChunks(chunks, { maxBodySize });
        expect(maxHeld).toBeLessThanOrEqual(decoder.maxEncodedSize);
        const nonZero = chunks.reduce((n, c) => n + c.filter((b) => b !== 0).length, 0);
        if (frames.length === 0) expect(decoder.stats.droppedBytes).toBe(nonZero);
        expect(decoder.bufferedBytes).toBe(0);
      }), { numRuns: 100 });
  });

  it('emits, drops and counts exactly the same in one chunk (fast path) as one byte at a time (general path)', async () => {
    const arbPiece = fc.oneof(
      arbFrameSpec.map((s) => wireOf([s])),
      // A frame with one byte flipped: bad CRC, bad COBS, a split frame, header errors…
      fc.tuple(arbFrameSpec, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([s, at, mask]) => {
        const wire = wireOf([s]);
        wire[at % wire.length]! ^= mask;
        return wire;
      }),
      fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a.map((b) => (b < 16 ? 0 : b)))),
    );
    // TOO_LONG's wording says whether the limit was hit while holding bytes or in one chunk; all else must match.
    const summary = (d: Decoded) => ({
      frames: d.frames, stats: d.decoder.stats,
      drops: d.drops.map(({ error, raw }) => ({
        code: error.code, message: error.code === 'TOO_LONG' ? '' : error.message, details: error.details, raw: [...raw],
      })),
    });
    await fc.assert(fc.asyncProperty(
      fc.array(arbPiece, { maxLength: 12 }), fc.integer({ min: 8, max: 120 }),
      async (pieces, maxBodySize) => {
        const stream = Buffer.concat(pieces);
        const whole = await decodeChunks([stream], { maxBodySize });
        const bytewise = await decodeChunks([...stream].map((b) => Buffer.of(b)), { maxBodySize });
        expect(summary(whole)).toEqual(summary(bytewise));
      }), { numRuns: 200 });
  });

  it('counts an oversized run once as TOO_LONG, however it is chunked, and resyncs at the next 0x00', async () => {
    const decoderLimit = 64;
    const run = Buffer.alloc(1000, 0x55);
    const chunks = [...split(run, [0.1, 0.2, 0.5, 0.9]), Buffer.of(0), encodeFrame(ping(1), 1)];
    const { frames, drops, decoder, maxHeld } = await decodeChunks(chunks, { maxBodySize: decoderLimit });
    expect(frames.map((f) => f.message)).toEqual([ping(1)]);
    expect(decoder.stats.dropped).toEqual({ TOO_LONG: 1 });
    expect(decoder.stats.droppedBytes).toBe(1000);
    expect(drops[0]!.raw.length).toBeLessThanOrEqual(decoder.maxEncodedSize);
    expect(maxHeld).toBeLessThanOrEqual(decoder.maxEncodedSize);
  });

  it('counts an oversized frame that arrives in one chunk as TOO_LONG', async () => {
    const { decoder, drops } = await decodeChunks([Buffer.concat([Buffer.alloc(2000, 7), Buffer.of(0)])]);
    expect(decoder.stats.dropped).toEqual({ TOO_LONG: 1 });
    expect(drops[0]!.raw.length).toBe(decoder.maxEncodedSize);
    expect(decoder.stats.droppedBytes).toBe(2000);
  });

  it('emits drop with a ProtocolError and the raw bytes of a corrupt frame, then carries on', async () => {
    const bad = encodeFrame(ping(5), 1);
    bad[bad.length - 3] = bad[bad.length - 3]! ^ 0x01;
    const { frames, drops, decoder } = await decodeChunks([Buffer.concat([bad, encodeFrame(ping(6), 2)])]);
    expect(frames.map((f) => f.message)).toEqual([ping(6)]);
    expect(drops).toHaveLength(1);
    expect(drops[0]!.error).toBeInstanceOf(ProtocolError);
    expect(drops[0]!.error.code).toBe('BAD_CRC');
    expect(drops[0]!.raw).toEqual(bad.subarray(0, -1));
    expect(decoder.stats).toEqual({ frames: 1, droppedBytes: bad.length - 1, dropped: { BAD_CRC: 1 } });
  });

  it('ignores empty frames (runs of 0x00)', async () => {
    const { frames, decoder } = await decodeChunks([Buffer.of(0, 0, 0), encodeFrame(ping(1), 1), Buffer.of(0, 0)]);
    expect(frames).toHaveLength(1);
    expect(decoder.stats).toEqual({ frames: 1, droppedBytes: 0, dropped: {} });
  });

  it('drops a partial frame left at the end of the stream as TOO_SHORT', async () => {
    const wire = encodeFrame(ping(1), 1);
    const { frames, drops, decoder } = await decodeChunks([wire, wire.subarray(0, 5)]);
    expect(frames).toHaveLength(1);
    expect(drops.map((d) => d.error.code)).toEqual(['TOO_SHORT']);
    expect(decoder.stats.droppedBytes).toBe(5);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('reports header details of frames that fail after the CRC', async () => {
    const { drops } = await decodeChunks([encodeFrame(ping(1), 77, { version: 9 })]);
    expect(drops[0]!.error.code).toBe('UNSUPPORTED_VERSION');
    expect(drops[0]!.error.details).toMatchObject({ seq: 77, type: 0x06, fromDevice: false });
  });

  describe('piped from real sources', () => {
    const cleanup: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const fn of cleanup.splice(0)) await fn();
    });

    it('decodes frames from a net.Socket', async () => {
      const specs: Message[] = [ping(1), { type: 'GET_INFO' }, { type: 'CANCEL', sessionId: 9 }];
      const server = net.createServer((socket) => {
        for (const [i, m] of specs.entries()) socket.write(encodeFrame(m, i));
        socket.end();
      });
      cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as net.AddressInfo;
      const socket = net.connect(port, '127.0.0.1');
      cleanup.push(() => { socket.destroy(); });
      const decoder = socket.pipe(new FrameDecoder());
      const frames = (await decoder.toArray()) as Frame[];
      expect(frames.map((f) => f.message)).toEqual(specs);
    });

    it('decodes frames from a SerialPort (mock binding)', async () => {
      SerialPortMock.binding.createPort('/dev/TENKEY');
      cleanup.push(() => SerialPortMock.binding.reset());
      const port = new SerialPortMock({ path: '/dev/TENKEY', baudRate: 115200 });
      cleanup.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
      await once(port, 'open');
      const decoder = port.pipe(new FrameDecoder());
      const got = once(decoder, 'data');
      port.port!.emitData(encodeFrame({ type: 'PONG', nonce: 3 }, 4));
      const [frame] = (await got) as [Frame];
      expect(frame.message).toEqual({ type: 'PONG', nonce: 3 });
      expect(frame.fromDevice).toBe(true);
    });
  });
});
