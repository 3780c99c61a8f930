import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PassThrough } from 'node:stream';
import { parseCapture, readCaptureStream } from '../../protocol/capture/capture-reader.js';
import { CaptureWriter, formatCapture } from '../../protocol/capture/capture-writer.js';
import { CaptureError } from '../../protocol/capture/capture-error.js';
import type { Capture, CaptureHeader, CaptureRecord } from '../../protocol/capture/capture-format.js';

const header: CaptureHeader = {
  format: 'tenkey-capture',
  version: 1,
  protocolVersion: 1,
  captured: { tool: 'test', device: '/dev/pts/9', startedAt: '2026-11-26T10:00:00.000Z' },
};
const headerLine = JSON.stringify(header);

/** Times on the microsecond grid the format stores, in arrival order. */
const arbCapture: fc.Arbitrary<Capture> = fc
  .record({
    note: fc.option(fc.string(), { nil: undefined }),
    records: fc.array(
      fc.oneof(
        fc.record({
          dir: fc.constantFrom('h2d' as const, 'd2h' as const),
          dt: fc.integer({ min: 0, max: 5_000_000 }),
          bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
        }),
        fc.record({
          event: fc.constantFrom('open' as const, 'close' as const),
          side: fc.constantFrom('host' as const, 'device' as const),
          dt: fc.integer({ min: 0, max: 5_000_000 }),
        }),
      ),
      { maxLength: 30 },
    ),
  })
  .map(({ note, records }) => {
    let micros = 0;
    const out: CaptureRecord[] = records.map((r) => {
      micros += r.dt;
      const t = micros / 1000;
      return 'dir' in r ? { dir: r.dir, t, bytes: r.bytes } : { event: r.event, side: r.side, t };
    });
    return { header: note === undefined ? header : { ...header, note }, records: out };
  });

function normalise(capture: Capture): unknown {
  return {
    header: capture.header,
    records: capture.records.map((r) => ('dir' in r ? { ...r, bytes: Buffer.from(r.bytes).toString('hex') } : r)),
  };
}

function errorOf(text: string): CaptureError {
  try {
    parseCapture(text);
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw e;
  }
  throw new Error('expected a CaptureError');
}

describe('capture format v1', () => {
  it('reads back exactly what it writes (any header note, chunks, link events, times)', () => {
    fc.assert(
      fc.property(arbCapture, (capture) => {
        expect(normalise(parseCapture(formatCapture(capture)))).toEqual(normalise(capture));
      }),
    );
  });

  it('streams: the writer puts the header first and one line per record, in order', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    let now = 1000;
    const writer = new CaptureWriter(out, { captured: { tool: 'test', startedAt: '2026-11-26T10:00:00.000Z' }, now: () => now });
    now = 1000.5;
    writer.chunk('h2d', Buffer.from([1, 2, 0]));
    now = 1002.25;
    writer.linkEvent('close', 'device');
    writer.chunk('d2h', Buffer.alloc(0)); // nothing arrived: nothing recorded
    await writer.close();
    const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'tenkey-capture', version: 1, protocolVersion: 1 });
    expect(lines[1]).toBe('{"dir":"h2d","t":0.5,"hex":"010200"}');
    expect(lines[2]).toBe('{"event":"close","side":"device","t":2.25}');
  });

  it('reads a stream record by record', async () => {
    const input = new PassThrough();
    input.end(`${headerLine}\n{"dir":"d2h","t":1,"hex":"AA00"}\n\n{"dir":"h2d","t":2,"hex":"bb00"}\n`);
    const items = [];
    for await (const item of readCaptureStream(input)) items.push(item);
    expect(items).toHaveLength(3);
    expect(items[1]).toMatchObject({ dir: 'd2h', t: 1, bytes: Buffer.from('aa00', 'hex') });
  });

  it('ignores header keys it does not know (forward compatible within v1)', () => {
    const capture = parseCapture(`${JSON.stringify({ ...header, future: { x: 1 } })}\n`);
    expect(capture.header).toEqual(header);
  });

  describe('rejects bad input with a typed error and the line it is on', () => {
    const cases: Array<[string, string, string, number | undefined]> = [
      ['empty input', '', 'EMPTY', undefined],
      ['a first line that is not JSON', 'hello\n', 'BAD_JSON', 1],
      ['a first line that is a record', '{"dir":"h2d","t":0,"hex":"00"}\n', 'BAD_HEADER', 1],
      ['another format version', JSON.stringify({ ...header, version: 2 }), 'UNSUPPORTED_VERSION', 1],
      ['a header without captured.startedAt', JSON.stringify({ ...header, captured: { tool: 'x' } }), 'BAD_HEADER', 1],
      ['a bad protocolVersion', JSON.stringify({ ...header, protocolVersion: 0 }), 'BAD_HEADER', 1],
      ['a JSON array record', `${headerLine}\n[1,2]\n`, 'BAD_JSON', 2],
      ['a truncated record', `${headerLine}\n{"dir":"h2d","t":0,"hex":"00"}\n{"dir":"h2d","t":1,\n`, 'BAD_JSON', 3],
      ['an unknown direction', `${headerLine}\n{"dir":"up","t":0,"hex":"00"}\n`, 'BAD_RECORD', 2],
      ['a missing time', `${headerLine}\n{"dir":"h2d","hex":"00"}\n`, 'BAD_RECORD', 2],
      ['a negative time', `${headerLine}\n{"dir":"h2d","t":-1,"hex":"00"}\n`, 'BAD_RECORD', 2],
      ['odd-length hex', `${headerLine}\n{"dir":"d2h","t":0,"hex":"abc"}\n`, 'BAD_HEX', 2],
      ['non-hex characters', `${headerLine}\n{"dir":"d2h","t":0,"hex":"zz"}\n`, 'BAD_HEX', 2],
      ['an empty chunk', `${headerLine}\n{"dir":"d2h","t":0,"hex":""}\n`, 'BAD_HEX', 2],
      ['time going backwards', `${headerLine}\n{"dir":"d2h","t":5,"hex":"00"}\n\n{"dir":"h2d","t":4,"hex":"00"}\n`, 'TIME_WENT_BACKWARDS', 4],
      ['a second header', `${headerLine}\n${headerLine}\n`, 'BAD_RECORD', 2],
      ['an unknown link event', `${headerLine}\n{"event":"explode","side":"host","t":1}\n`, 'BAD_RECORD', 2],
      ['a bad scenario', JSON.stringify({ ...header, scenario: { keys: 'pan:visa' } }), 'BAD_HEADER', 1],
    ];
    it.each(cases)('%s', (_name, text, code, line) => {
      const error = errorOf(text);
      expect(error.code).toBe(code);
      expect(error.line).toBe(line);
      if (line !== undefined) expect(error.message).toMatch(new RegExp(`^line ${line}: `));
    });
  });

  it('a stream reader reports the same line numbers', async () => {
    const input = new PassThrough();
    input.end(`${headerLine}\n{"dir":"d2h","t":1,"hex":"00"}\n{"dir":"d2h","t":1,"hex":"0"}\n`);
    await expect(async () => {
      for await (const _ of readCaptureStream(input)) void _;
    }).rejects.toMatchObject({ code: 'BAD_HEX', line: 3 });
  });
});
