/**
 * A capture's recorded timeline is decoded once and reused by later replays of the same capture object, but only
 * while its records stay as they were: an edit between two replays (bytes changed in place, a record replaced,
 * removed or retimed) is decoded afresh, so the second replay reports what the edited capture holds.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { timelineOfRecords } from '../../protocol/capture/capture-frames.js';
import { isChunkRecord, type Capture, type ChunkRecord } from '../../protocol/capture/capture-format.js';
import { parseCapture, replayCapture } from '../../replay/index.js';
import { recordedTimeline } from '../../replay/recorded-timeline.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/captures/happy-visa.jsonl');
const load = (): Capture => parseCapture(readFileSync(fixture, 'utf8'));
const firstChunk = (capture: Capture, dir: 'h2d' | 'd2h', from = 0): ChunkRecord =>
  capture.records.slice(from).find((r): r is ChunkRecord => isChunkRecord(r) && r.dir === dir && r.bytes.length > 4)!;

describe('recordedTimeline', () => {
  it('decodes once for records that did not change, and gives what timelineOfRecords gives', () => {
    const capture = load();
    const first = recordedTimeline(capture.records);
    expect(recordedTimeline(capture.records)).toBe(first);
    expect(first).toEqual(timelineOfRecords(capture.records));
  });

  it.each([
    ['bytes changed in place', (c: Capture) => { const b = firstChunk(c, 'd2h').bytes; b[2] = b[2]! ^ 0x40; }],
    ['a chunk replaced by another object', (c: Capture) => { const i = c.records.indexOf(firstChunk(c, 'd2h')); c.records[i] = { ...firstChunk(c, 'd2h') }; }],
    ['a chunk given other bytes', (c: Capture) => { const r = firstChunk(c, 'd2h'); r.bytes = Uint8Array.from(r.bytes).reverse(); }],
    ['a record removed', (c: Capture) => { c.records.splice(3, 1); }],
    ['a record retimed', (c: Capture) => { c.records[3]!.t += 1; }],
  ])('decodes afresh after %s', (_name, edit) => {
    const capture = load();
    const before = recordedTimeline(capture.records);
    edit(capture);
    const after = recordedTimeline(capture.records);
    expect(after).not.toBe(before);
    expect(after).toEqual(timelineOfRecords(capture.records));
  });

  it('a capture replayed green, then edited in place, replays with the difference', async () => {
    const capture = load();
    expect((await replayCapture(capture, { against: 'device' })).ok).toBe(true);
    const bytes = firstChunk(capture, 'd2h', 5).bytes;
    bytes[2] = bytes[2]! ^ 0x40;
    const report = await replayCapture(capture, { against: 'device' });
    expect(report.ok).toBe(false);
    expect(report.diffs.length).toBeGreaterThan(0);
  });
});
