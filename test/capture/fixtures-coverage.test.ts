import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { framesOfCapture } from '../../protocol/capture/capture-frames.js';
import type { Capture, CaptureOutcome } from '../../protocol/capture/capture-format.js';
import type { Message } from '../../protocol/messages.js';
import { replayCapture } from '../../replay/replay-capture.js';

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/captures');
const load = (name: string): Capture => parseCapture(readFileSync(join(fixtureDir, `${name}.jsonl`), 'utf8'));

function messages(capture: Capture): Message[] {
  return framesOfCapture(capture).flatMap((f) => (f.result.ok ? [f.result.frame.message] : []));
}

const card = (brand: string, last: string): CaptureOutcome => ({ kind: 'card', brand, last });
const error = (code: string): CaptureOutcome => ({ kind: 'error', code });

/** Every flow of the store manual and every device error, with what the application saw and the device said. */
const flows: Array<[name: string, outcome: CaptureOutcome, deviceError: string | null]> = [
  ['happy-visa', card('visa', '111'), null],
  ['happy-mastercard', card('mastercard', '444'), null],
  ['happy-american-express', card('american-express', '005'), null],
  ['happy-jcb', card('jcb', '000'), null],
  ['happy-diners-club', card('diners-club', '667'), null],
  ['happy-discover', card('discover', '117'), null],
  ['happy-unionpay', card('unionpay', '005'), null],
  ['backspace-and-clear', card('visa', '111'), null],
  ['invalid-then-valid', card('visa', '111'), null],
  ['noisy-link', card('mastercard', '444'), null],
  ['noisy-link-every-key', card('mastercard', '444'), null],
  ['cancel-on-keypad', { kind: 'cancelled' }, 'CANCELLED'],
  ['cancel-from-host', { kind: 'cancelled' }, 'CANCELLED'],
  ['timeout', error('ENTRY_TIMEOUT'), 'TIMEOUT'],
  ['session-limit', error('ENTRY_TIMEOUT'), 'SESSION_LIMIT'],
  ['invalid-card', error('CARD_SERVICE'), 'INVALID_CARD'],
  ['expired-card', error('CARD_SERVICE'), 'EXPIRED_CARD'],
  ['unsupported-brand', error('CARD_SERVICE'), 'UNSUPPORTED_BRAND'],
  ['busy', error('TEMPORARY'), 'BUSY'],
  ['key-exhausted', error('TEMPORARY'), 'KEY_EXHAUSTED'],
  ['unplug-mid-entry', error('CONNECTION'), null],
];

describe('fixtures cover every flow of the store manual', () => {
  it.each(flows)('%s: the application got %j, the device said %s', (name, outcome, deviceError) => {
    const capture = load(name);
    expect(capture.header.scenario?.outcome).toEqual(outcome);
    const errors = messages(capture).flatMap((m) => (m.type === 'ERROR' ? [m.code] : []));
    if (deviceError === null) expect(errors).toEqual([]);
    else expect(errors).toContain(deviceError);
    if (outcome.kind === 'card') {
      expect(messages(capture)).toContainEqual(expect.objectContaining({ type: 'RESULT', brand: outcome.brand, last: outcome.last }));
    }
  });

  it('typing corrections show as BACKSPACE and CLEAR keys', () => {
    const keys = messages(load('backspace-and-clear')).flatMap((m) => (m.type === 'KEY' ? [m.keyClass] : []));
    expect(keys).toContain('BACKSPACE');
    expect(keys).toContain('CLEAR');
  });

  it('the invalid number shows as an INVALID_PAN notice before the RESULT', () => {
    const ms = messages(load('invalid-then-valid'));
    expect(ms.findIndex((m) => m.type === 'KEY' && m.notice === 'INVALID_PAN')).toBeLessThan(ms.findIndex((m) => m.type === 'RESULT'));
  });

  it('the host cancel is a CANCEL frame; the keypad cancel a CANCEL key', () => {
    expect(messages(load('cancel-from-host')).map((m) => m.type)).toContain('CANCEL');
    expect(messages(load('cancel-on-keypad'))).toContainEqual(expect.objectContaining({ type: 'KEY', keyClass: 'CANCEL' }));
  });

  it('the unplug is a recorded device close in the middle of the entry', () => {
    const capture = load('unplug-mid-entry');
    expect(capture.records.filter((r) => 'event' in r)).toEqual([expect.objectContaining({ event: 'close', side: 'device' })]);
    expect(messages(capture).some((m) => m.type === 'RESULT')).toBe(false);
  });

  it('the noisy link has damaged bytes, retransmissions, and duplicates a receiver had already taken', () => {
    const frames = framesOfCapture(load('noisy-link'));
    expect(frames.filter((f) => !f.result.ok).length).toBeGreaterThan(0);
    const good = frames.flatMap((f) => (f.result.ok ? [{ dir: f.dir, ...f.result.frame }] : []));
    expect(good.filter((f) => f.retransmission).length).toBeGreaterThan(0);
    // A duplicate: the same non-ACK frame (direction, seq, type) decoded intact twice.
    const seen = new Set<string>();
    let duplicates = 0;
    for (const f of good) {
      if (f.message.type === 'ACK' || f.message.type === 'NAK') continue;
      const id = `${f.dir} ${f.seq} ${f.message.type}`;
      if (seen.has(id)) duplicates++;
      seen.add(id);
    }
    expect(duplicates).toBeGreaterThan(0);
  });

  it('behind retransmissions, one noisy link has merged DIGIT reports (§5.11) and the every-key one has none', () => {
    const panRises = (name: string) => {
      const counts = messages(load(name)).flatMap((m) => (m.type === 'KEY' && m.field === 'PAN' && m.keyClass === 'DIGIT' ? [m.digits] : []));
      return [...new Set(counts)].map((n, i, all) => n - (all[i - 1] ?? 0));
    };
    expect(Math.max(...panRises('noisy-link'))).toBeGreaterThan(1);
    expect(panRises('noisy-link-every-key')).toEqual(Array.from({ length: 16 }, () => 1));
  });

  it('replays in real time too (--speed): a short session against both sides', async () => {
    const capture = load('cancel-on-keypad');
    for (const against of ['host', 'device'] as const) {
      const report = await replayCapture(capture, { against, timing: { speed: 2 } });
      expect(report.diffs).toEqual([]);
      expect(report.ok).toBe(true);
    }
  }, 20_000);
});
