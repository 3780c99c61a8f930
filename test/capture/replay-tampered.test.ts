import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFrame } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { formatCapture } from '../../protocol/capture/capture-writer.js';
import { framesOfCapture } from '../../protocol/capture/capture-frames.js';
import { isChunkRecord, type Capture } from '../../protocol/capture/capture-format.js';
import { replayCapture } from '../../replay/replay-capture.js';
import { useCliHarness } from './cli-harness.js';

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
  const cli = useCliHarness();

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

  it('against the device: a header outcome that the RESULT does not give is caught', async () => {
    const capture = load();
    capture.header.scenario!.outcome = { kind: 'card', brand: 'visa', last: '999' };
    const report = await replayCapture(capture, { against: 'device' });
    expect(report.diffs).toEqual([]);
    expect(report.ok).toBe(false);
    expect(report.notes).toEqual(["application outcome from the simulator's frames card visa …111 ≠ recorded card visa …999"]);
  });

  it('against the device: an error outcome where the device sent a RESULT is caught', async () => {
    const capture = load();
    capture.header.scenario!.outcome = { kind: 'error', code: 'ENTRY_TIMEOUT' };
    const report = await replayCapture(capture, { against: 'device' });
    expect(report.notes).toEqual(["application outcome from the simulator's frames card visa …111 ≠ recorded error ENTRY_TIMEOUT"]);
  });

  it.each(['host', 'device'] as const)('against the %s: a run that diverges stops at the first divergence and reports only it', async (against) => {
    // Drop a recorded frame of the side that is played back: the code under test waits for it and never sends
    // what was recorded after it. The replay stops there instead of waiting on every later step.
    const capture = load();
    const played = against === 'host' ? 'd2h' : 'h2d';
    const frame = framesOfCapture(capture).filter((f) => f.dir === played)[1]!;
    capture.records.splice(frame.firstRecord, frame.lastRecord - frame.firstRecord + 1);
    const report = await replayCapture(capture, { against });
    expect(report.ok).toBe(false);
    expect(report.diffs.length).toBeLessThanOrEqual(2);
    expect(report.notes.at(-1)).toMatch(/^replay stopped at \d+\.\d{3} ms: the (driver|simulator) had sent \d+ of the \d+ intact frames recorded before this point/);
    expect(report.compared).toBeLessThan(framesOfCapture(load()).filter((f) => f.dir !== played).length);
  });

  it('tenkey replay exits 1 and prints the frame-level diff; 0 for the untouched fixture', async () => {
    const file = cli.file('tampered.jsonl', formatCapture(tamper(load(), (m) => m.type === 'KEY', (m) => ({ ...(m as Extract<Message, { type: 'KEY' }>), notice: 'INVALID_PAN' }), 4)));
    const { code, out } = await cli.run('replay', file, '--against', 'device', '--instant');
    const clean = await cli.run('replay', fixture, '--against', 'device');
    expect(code).toBe(1);
    expect(out).toMatch(/✗ d2h frame #\d+ changed: notice "NONE" ≠ recorded "INVALID_PAN"/);
    expect(out).toMatch(/    recorded .* KEY .*notice=INVALID_PAN/);
    expect(clean.code).toBe(0);
  });

  it('against the host: two host connections in one capture (two `tenkey read` runs through one tap) are refused, exit 2', async () => {
    const capture = load();
    const end = capture.records.at(-1)!.t;
    const second = load().records.map((r) => ({ ...r, t: r.t + end + 100 }));
    capture.records.push(...second);
    const report = await replayCapture(capture, { against: 'host' });
    expect(report).toMatchObject({ ok: false, unreplayable: true });
    expect(report.notes).toHaveLength(1);
    expect(report.notes[0]).toMatch(/^the capture holds more than one host connection \(a new HELLO at \d+\.\d{3} ms without the device going away/);
    const { code, out } = await cli.run('replay', cli.file('two-reads.jsonl', formatCapture(capture)), '--against', 'host');
    expect(code).toBe(2);
    expect(out).toMatch(/✗ the capture holds more than one host connection/);
  });

  it('says so (exit 2) when a capture cannot be replayed that way', async () => {
    const capture = load();
    delete capture.header.scenario!.keys;
    const report = await replayCapture(capture, { against: 'device' });
    expect(report).toMatchObject({ ok: false, unreplayable: true });
    expect(report.notes[0]).toMatch(/no scenario.keys: digits are never on the wire/);
  });
});
