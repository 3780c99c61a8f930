/**
 * tenkey reads back its own pcapng export (issue 15 item 6): export then read gives the same frames at the same
 * times, `decode` and `replay` take the .pcapng as they take the .jsonl, and asking for another format names
 * the one that would work.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isChunkRecord, type Capture, type ChunkRecord } from '../../protocol/capture/capture-format.js';
import { CaptureError } from '../../protocol/capture/capture-error.js';
import { framesOfCapture } from '../../protocol/capture/capture-frames.js';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { parseCaptureInput } from '../../protocol/capture/load-capture.js';
import { readPcapng } from '../../protocol/capture/pcapng-reader.js';
import { captureToPcapng } from '../../protocol/capture/pcapng-writer.js';
import { projectRoot } from '../host-driver/cli-runner.js';
import { useCliHarness } from './cli-harness.js';

const FIXTURES = join(projectRoot, 'fixtures', 'captures');
const fixtureNames = readdirSync(FIXTURES).filter((name) => name.endsWith('.jsonl')).sort();
const fixture = (name: string): Capture => parseCapture(readFileSync(join(FIXTURES, name), 'utf8'));
const framesOf = (capture: Capture) => framesOfCapture(capture).map((f) => ({ dir: f.dir, t: f.t, raw: f.raw.toString('hex') }));
const chunksOf = (capture: Capture) => capture.records.filter(isChunkRecord).map((r) => ({ dir: r.dir, t: r.t, hex: Buffer.from(r.bytes).toString('hex') }));

function thrown(f: () => unknown): unknown {
  try { f(); } catch (e) { return e; }
  return undefined;
}

describe('reading tenkey\'s pcapng export', () => {
  it('finds the fixtures it reads back', () => {
    expect(fixtureNames.length).toBeGreaterThan(5);
  });

  it.each(fixtureNames)('%s: export per frame, read back: the same frames at the same times', (name) => {
    const capture = fixture(name);
    const back = readPcapng(captureToPcapng(capture));
    expect(framesOf(back)).toEqual(framesOf(capture));
    expect(back.header.captured).toMatchObject({ tool: capture.header.captured.tool, startedAt: capture.header.captured.startedAt });
  });

  it('export per chunk, read back: the same chunks, for any capture', () => {
    const chunk: fc.Arbitrary<Omit<ChunkRecord, 't'> & { gap: number }> = fc.record({
      dir: fc.constantFrom('h2d' as const, 'd2h' as const),
      gap: fc.integer({ min: 0, max: 5_000_000 }).map((us) => us / 1000),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    });
    fc.assert(fc.property(fc.array(chunk, { minLength: 1, maxLength: 30 }), (chunks) => {
      let t = 0;
      const capture: Capture = {
        header: { format: 'tenkey-capture', version: 1, protocolVersion: 1, captured: { tool: 'prop', startedAt: '2026-11-26T10:00:00.000Z' } },
        records: chunks.map(({ dir, gap, bytes }) => ({ dir, t: (t = Math.round((t + gap) * 1000) / 1000), bytes })),
      };
      expect(chunksOf(readPcapng(captureToPcapng(capture, { unit: 'chunk' })))).toEqual(chunksOf(capture));
    }));
  });

  it('refuses a cut or damaged file with a typed error, whatever the cut', () => {
    const file = captureToPcapng(fixture(fixtureNames[0]!));
    fc.assert(fc.property(fc.integer({ min: 4, max: file.length - 1 }), (cut) => {
      const error = thrown(() => readPcapng(file.subarray(0, cut)));
      // A cut right after a whole block is a shorter, valid file; anything else is refused.
      if (error !== undefined) expect(error).toBeInstanceOf(CaptureError);
    }));
    const damaged = Buffer.from(file);
    damaged.writeUInt32LE(0xffff, 4); // the Section Header Block's length
    expect(thrown(() => readPcapng(damaged))).toMatchObject({ code: 'BAD_RECORD' });
  });

  it('names --format pcapng when another format is asked for a pcapng file', () => {
    const file = captureToPcapng(fixture(fixtureNames[0]!));
    for (const format of ['raw', 'hex', 'jsonl'] as const) {
      const error = thrown(() => parseCaptureInput(file, { format }));
      expect(error).toMatchObject({ code: 'UNKNOWN_FORMAT', message: expect.stringContaining('read it with --format pcapng') });
    }
    expect(parseCaptureInput(file, { format: 'pcapng' }).records.length).toBeGreaterThan(0);
    expect(thrown(() => parseCaptureInput(Buffer.from('{"x":1}\n'), { format: 'pcapng' }))).toMatchObject({ code: 'BAD_HEADER' });
  });
});

describe('tenkey decode / replay on an exported .pcapng', () => {
  const { run, file } = useCliHarness();
  const name = 'happy-visa.jsonl';

  it('decode: export then decode lists the same frames as decoding the capture', async () => {
    const source = join(FIXTURES, name);
    const pcapng = file('session.pcapng', '');
    expect((await run('capture', 'export', source, '--pcapng', pcapng)).code).toBe(0);
    const fromCapture = await run('decode', '--json', source);
    const fromPcapng = await run('decode', '--json', pcapng);
    expect(fromPcapng.code).toBe(0);
    expect(fromPcapng.err).toBe('');
    // pcapng holds packets only: the capture's link open/close events do not travel.
    const frames = (out: string) => out.trimEnd().split('\n').filter((line) => !line.includes('"event"'));
    expect(frames(fromPcapng.out)).toEqual(frames(fromCapture.out));
    expect(frames(fromPcapng.out).length).toBeGreaterThan(5);
  });

  it('decode --format raw on a .pcapng: exit 1 naming --format pcapng', async () => {
    const pcapng = file('session.pcapng', captureToPcapng(fixture(name)));
    const { code, err } = await run('decode', '--format', 'raw', pcapng);
    expect(code).toBe(1);
    expect(err).toMatch(/this is a pcapng file .*read it with --format pcapng .*\[UNKNOWN_FORMAT\]\n$/);
  });

  it('replay --against host plays an exported .pcapng as it plays the capture', async () => {
    const pcapng = file('session.pcapng', captureToPcapng(fixture(name)));
    const fromCapture = await run('replay', join(FIXTURES, name), '--against', 'host');
    const fromPcapng = await run('replay', pcapng, '--against', 'host');
    expect(fromPcapng.code).toBe(fromCapture.code);
    expect(fromPcapng.code).toBe(0);
  });
});
