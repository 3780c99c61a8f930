import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFrame } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { formatCapture } from '../../protocol/capture/capture-writer.js';
import { framesOfCapture } from '../../protocol/capture/capture-frames.js';
import { isChunkRecord, type Capture } from '../../protocol/capture/capture-format.js';
import { replayCapture } from '../../cli/capture/replay.js';
import { main } from '../../cli/main.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/captures/happy-visa.jsonl');
const load = (): Capture => parseCapture(readFileSync(fixture, 'utf8'));

/** Rewrites the n-th recorded frame matching `pick` (in place, in its chunk) with `change` applied. */
function tamper(capture: Capture, pick: (m: Message) => boolean, change: (m: Message) => Message, nth = 0): Capture {
  const frame = framesOfCapture(capture).filter((f) => f.result.ok && pick(f.result.frame.message))[nth];
  if (!frame?.result.ok || frame.firstRecord !== frame.lastRecord) throw new Error('no single-chunk frame to tamper with');
  const record = capture.records[frame.firstRecord];
  if (!record || !isChunkRecord(record)) throw new Error('not a chunk');
  const { seq, fromDevice, retransmission } = frame.result.frame;
  const replacement = encodeFrame(change(frame.result.frame.message), seq, { fromDevice, retransmission });
  const bytes = Buffer.from(record.bytes);
  const at = bytes.indexOf(frame.raw);
  record.bytes = Buffer.concat([bytes.subarray(0, at), replacement, bytes.subarray(at + frame.raw.length)]);
  return capture;
}

describe('replay detects a tampered capture', () => {
  let dir: string | undefined;
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('against the device: a KEY frame with a wrong digit count is a "changed" frame naming the field', async () => {
    const capture = tamper(load(), (m) => m.type === 'KEY', (m) => ({ ...(m as Extract<Message, { type: 'KEY' }>), digits: 9 }), 2);
    const report = await replayCapture(capture, { against: 'device' });
    expect(report.ok).toBe(false);
    expect(report.diffs).toHaveLength(1);
    expect(report.diffs[0]).toMatchObject({ kind: 'changed', problems: ['digits 3 ≠ recorded 9'] });
  });

  it('against the device: a RESULT with another brand is caught (only its ciphertext is exempt)', async () => {
    const capture = tamper(load(), (m) => m.type === 'RESULT', (m) => ({ ...(m as Extract<Message, { type: 'RESULT' }>), brand: 'jcb' }));
    const report = await replayCapture(capture, { against: 'device' });
    expect(report.diffs.map((d) => d.kind === 'changed' && d.problems)).toContainEqual(['brand "visa" ≠ recorded "jcb"']);
  });

  it('against the host: a recorded host ACK that is gone shows as an unexpected frame from the driver', async () => {
    const capture = load();
    const ack = framesOfCapture(capture).find((f) => f.dir === 'h2d' && f.result.ok && f.result.frame.message.type === 'ACK' && f.result.frame.seq === 5);
    capture.records.splice(ack!.firstRecord, 1);
    const report = await replayCapture(capture, { against: 'host' });
    expect(report.ok).toBe(false);
    expect(report.diffs).toMatchObject([{ kind: 'unexpected', actual: { dir: 'h2d' } }]);
  });

  it('against the host: a RESULT whose last digits changed makes the application outcome differ', async () => {
    const capture = tamper(load(), (m) => m.type === 'RESULT', (m) => ({ ...(m as Extract<Message, { type: 'RESULT' }>), last: '112' }));
    const report = await replayCapture(capture, { against: 'host' });
    expect(report.ok).toBe(false);
    expect(report.notes).toEqual(['application outcome {"kind":"card","brand":"visa","last":"112"} ≠ recorded {"kind":"card","brand":"visa","last":"111"}']);
  });

  it('tenkey replay exits 1 and prints the frame-level diff; 0 for the untouched fixture', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tenkey-replay-'));
    const file = join(dir, 'tampered.jsonl');
    writeFileSync(file, formatCapture(tamper(load(), (m) => m.type === 'KEY', (m) => ({ ...(m as Extract<Message, { type: 'KEY' }>), notice: 'INVALID_PAN' }), 4)));
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const code = await main(['node', 'tenkey', 'replay', file, '--against', 'device', '--instant']);
    process.exitCode = undefined;
    const clean = await main(['node', 'tenkey', 'replay', fixture, '--against', 'device']);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(out).toMatch(/✗ d2h frame #\d+ changed: notice "NONE" ≠ recorded "INVALID_PAN"/);
    expect(out).toMatch(/    recorded .* KEY .*notice=INVALID_PAN/);
    expect(clean).toBe(0);
  });

  it('says so (exit 2) when a capture cannot be replayed that way', async () => {
    const capture = load();
    delete capture.header.scenario!.keys;
    const report = await replayCapture(capture, { against: 'device' });
    expect(report).toMatchObject({ ok: false, unreplayable: true });
    expect(report.notes[0]).toMatch(/no scenario.keys: digits are never on the wire/);
  });
});
