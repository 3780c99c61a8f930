import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame } from '../../protocol/frame.js';
import { importHexDump, importJpnevulator, importPlainHex } from '../../protocol/capture/hex-import.js';
import { CaptureError } from '../../protocol/capture/capture-error.js';
import { framesOfCapture } from '../../protocol/capture/capture-frames.js';
import type { ChunkRecord } from '../../protocol/capture/capture-format.js';

const hello = encodeFrame({ type: 'HELLO', minVersion: 1, maxVersion: 1 }, 1);
const ack = encodeFrame({ type: 'ACK' }, 1, { fromDevice: true });

/** jpnevulator's own layout: `%02X` bytes joined by spaces, width 16, ascii column after a tab. */
function jpnevulatorLines(bytes: Uint8Array, { ascii = false, byteCount = false, width = 16 } = {}): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += width) {
    const row = [...bytes.subarray(i, i + width)];
    let line = row.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
    if (byteCount) line = `${i.toString(16).toUpperCase().padStart(8, '0')}\t${line}`;
    if (ascii) line += ' '.repeat(3 * (width - row.length)) + '\t' + row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(line);
  }
  return lines;
}

function chunks(capture: { records: unknown[] }): Array<{ dir: string; t: number; hex: string }> {
  return (capture.records as ChunkRecord[]).map((r) => ({ dir: r.dir, t: r.t, hex: Buffer.from(r.bytes).toString('hex') }));
}

function errorOf(f: () => unknown): CaptureError {
  try {
    f();
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw e;
  }
  throw new Error('expected a CaptureError');
}

describe('jpnevulator import', () => {
  it('reads timing lines with tty aliases, wrapped hex lines and the --ascii column', () => {
    const text = [
      '2026-11-26 10:00:00.123456: host',
      ...jpnevulatorLines(hello, { ascii: true }),
      '2026-11-26 10:00:00.125000: keypad',
      ...jpnevulatorLines(ack, { ascii: true }),
      '',
    ].join('\n');
    const capture = importJpnevulator(text);
    expect(chunks(capture)).toEqual([
      { dir: 'h2d', t: 0, hex: hello.toString('hex') },
      { dir: 'd2h', t: 1.544, hex: ack.toString('hex') },
    ]);
    expect(capture.header.captured.startedAt).toBe('2026-11-26T10:00:00.123456');
  });

  it('joins the lines of one packet even past the 16-byte width, and strips --byte-count', () => {
    const long = Buffer.concat([hello, hello, hello]);
    const text = ['2026-11-26 10:00:01.000000: /dev/ttyS0', ...jpnevulatorLines(long, { byteCount: true })].join('\n');
    const capture = importJpnevulator(text, { h2d: ['/dev/ttyS0'] });
    expect(chunks(capture)).toEqual([{ dir: 'h2d', t: 0, hex: long.toString('hex') }]);
  });

  it('tells directions from the frames themselves when a tty is not mapped', () => {
    const text = [
      '2026-11-26 10:00:00.000000: /dev/ttyS0', ...jpnevulatorLines(hello),
      '2026-11-26 10:00:00.010000: /dev/ttyUSB0', ...jpnevulatorLines(ack),
    ].join('\n');
    expect(chunks(importHexDump(text)).map((c) => c.dir)).toEqual(['h2d', 'd2h']);
  });

  it('reads the bare tty-name lines printed without --timing-print', () => {
    const text = ['host', ...jpnevulatorLines(hello), 'device', ...jpnevulatorLines(ack)].join('\n');
    expect(chunks(importJpnevulator(text)).map((c) => c.dir)).toEqual(['h2d', 'd2h']);
  });

  it('any bytes survive a jpnevulator round trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.boolean(), fc.boolean(), (bytes, ascii, byteCount) => {
        const text = ['2026-11-26 10:00:00.000000:', ...jpnevulatorLines(bytes, { ascii, byteCount })].join('\n');
        const capture = importJpnevulator(text, { direction: 'd2h' });
        expect(chunks(capture)).toEqual([{ dir: 'd2h', t: 0, hex: Buffer.from(bytes).toString('hex') }]);
      }),
    );
  });

  it('names the line of a hex line it cannot read', () => {
    const text = ['2026-11-26 10:00:00.000000: host', '0B 01 0G', ''].join('\n');
    const error = errorOf(() => importJpnevulator(text));
    expect(error.code).toBe('BAD_HEX');
    expect(error.line).toBe(2);
  });

  it('refuses a tty whose direction nothing tells', () => {
    const text = ['2026-11-26 10:00:00.000000: /dev/ttyS0', 'DE AD BE EF'].join('\n');
    const error = errorOf(() => importJpnevulator(text));
    expect(error.code).toBe('UNKNOWN_DIRECTION');
    expect(error.line).toBe(1);
  });
});

describe('plain hex import', () => {
  it('reads one chunk per line with direction markers, optional times, spaces, 0x prefixes and comments', () => {
    const text = [
      '# a session',
      `> @0 ${hello.toString('hex')}`,
      `< @2.5 ${[...ack].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}  # the ACK`,
      `d2h: ${ack.toString('hex').toUpperCase()}`,
    ].join('\n');
    expect(chunks(importPlainHex(text))).toEqual([
      { dir: 'h2d', t: 0, hex: hello.toString('hex') },
      { dir: 'd2h', t: 2.5, hex: ack.toString('hex') },
      { dir: 'd2h', t: 2.5, hex: ack.toString('hex') },
    ]);
  });

  it('takes one direction for unmarked lines from the option, or from the frames', () => {
    expect(chunks(importPlainHex(ack.toString('hex'))).map((c) => c.dir)).toEqual(['d2h']);
    expect(chunks(importPlainHex('dead', { direction: 'h2d' })).map((c) => c.dir)).toEqual(['h2d']);
  });

  it('keeps split frames split: decode joins them per direction', () => {
    const text = [`> ${hello.subarray(0, 4).toString('hex')}`, `< ${ack.toString('hex')}`, `> ${hello.subarray(4).toString('hex')}`].join('\n');
    const frames = framesOfCapture(importPlainHex(text));
    expect(frames.map((f) => [f.dir, f.result.ok && f.result.frame.message.type])).toEqual([['d2h', 'ACK'], ['h2d', 'HELLO']]);
  });

  it.each([
    ['odd digits', '> abc', 'BAD_HEX', 1],
    ['not hex', '\n> 12 zz', 'BAD_HEX', 2],
    ['a direction marker alone', '> ', 'BAD_HEX', 1],
    ['time going backwards', '> @5 00\n> @4 00', 'TIME_WENT_BACKWARDS', 2],
    ['nothing at all', '# only a comment\n', 'EMPTY', undefined],
  ])('rejects %s with a typed error and line', (_name, text, code, line) => {
    const error = errorOf(() => importPlainHex(text, { direction: 'h2d' }));
    expect(error.code).toBe(code);
    expect(error.line).toBe(line);
  });
});
