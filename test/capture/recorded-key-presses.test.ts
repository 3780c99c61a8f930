/**
 * Reading key presses back from a capture's KEY frames when the keypad merged DIGIT reports that outran the line
 * (PROTOCOL.md §5.11). The noisy-link fixture has such frames (its replays are in replay-fixtures.test.ts); the
 * synthetic sessions below each hold one case the planning must get right.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { recordedKeyPresses } from '../../replay/recorded-key-presses.js';
import { toKeyClass } from '../../device-sim/entry/keys.js';
import { expandKeyScript } from '../../device-sim/test-cards.js';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { isCapturedFrame, timelineOfRecords } from '../../protocol/capture/capture-frames.js';
import type { Capture } from '../../protocol/capture/capture-format.js';
import { encodeFrame, type KeyClassName, type KeyMessage } from '../../protocol/index.js';

const fixture = parseCapture(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/captures/noisy-link.jsonl'), 'utf8'));
const deviceFrames = (capture: Capture) => timelineOfRecords(capture.records).filter(isCapturedFrame).filter((f) => f.dir === 'd2h');

/** A capture holding only these device KEY frames (seq 0, 1, …), each written at its time. */
function keySession(frames: { t: number; key: Partial<KeyMessage> }[], keyTimes: number[]): Capture {
  return {
    header: { ...fixture.header, scenario: { keyTimes } },
    records: frames.map(({ t, key }, seq) => ({
      dir: 'd2h' as const, t,
      bytes: encodeFrame({ type: 'KEY', sessionId: 7, keyClass: 'DIGIT', field: 'PAN', digits: 1, notice: 'NONE', ...key }, seq, { fromDevice: true }),
    })),
  };
}
const digits = (n: number): KeyClassName[] => Array.from({ length: n }, () => 'DIGIT');

describe('recordedKeyPresses', () => {
  it('finds every key of the noisy-link fixture at its recorded time and class, though merged frames report several', () => {
    const scenario = fixture.header.scenario!;
    const classes = expandKeyScript(scenario.keys!, scenario.deviceDate).map(toKeyClass);
    const { presses, merged } = recordedKeyPresses(fixture, deviceFrames(fixture), classes);
    expect(merged).toBe(true); // the fixture does merge: otherwise this test proves nothing
    expect(presses.map((p) => p.t)).toEqual(scenario.keyTimes);
    expect(presses.map((p) => p.keyClass)).toEqual(classes);
    for (const press of presses) {
      expect(press.t).toBeLessThanOrEqual(press.frameTime); // before the frame that reported it ...
      expect(fixture.records.slice(0, Math.ceil(press.at)).every((r) => r.t <= press.t)).toBe(true); // ... after its past
    }
  });

  it('splits merged digits around a BACKSPACE: each merged frame stands for its rise in digits', () => {
    const capture = keySession([
      { t: 100, key: { digits: 1 } }, { t: 500, key: { digits: 4 } },
      { t: 600, key: { keyClass: 'BACKSPACE', digits: 3 } }, { t: 900, key: { digits: 5 } },
    ], [100, 200, 300, 400, 600, 700, 800]);
    const classes: KeyClassName[] = [...digits(4), 'BACKSPACE', ...digits(2)];
    const { presses, merged } = recordedKeyPresses(capture, deviceFrames(capture), classes);
    expect(merged).toBe(true);
    expect(presses.map((p) => [p.t, p.keyClass, p.frameTime])).toEqual([
      [100, 'DIGIT', 100], [200, 'DIGIT', 500], [300, 'DIGIT', 500], [400, 'DIGIT', 500],
      [600, 'BACKSPACE', 600], [700, 'DIGIT', 900], [800, 'DIGIT', 900],
    ]);
    expect(presses[0]!.at).toBe(-0.5); // the first press comes before its own frame, written at the same moment
  });

  it('counts from zero after a notice that cleared the field, whatever digits that frame carried', () => {
    const capture = keySession([
      { t: 100, key: { keyClass: 'ENTER', digits: 16, notice: 'INVALID_PAN' } }, { t: 400, key: { digits: 3 } },
    ], [100, 200, 300, 400]);
    const { presses } = recordedKeyPresses(capture, deviceFrames(capture), ['ENTER', ...digits(3)]);
    expect(presses.map((p) => p.keyClass)).toEqual(['ENTER', 'DIGIT', 'DIGIT', 'DIGIT']);
  });

  it('gives a frame lost to the line to the next one, and a digit the full field ignored its own press', () => {
    const lost = keySession([{ t: 300, key: { digits: 2 } }], [100, 300]); // digit 1's every copy was lost
    expect(recordedKeyPresses(lost, deviceFrames(lost), digits(2)).presses.map((p) => p.t)).toEqual([100, 300]);
    const full = keySession([
      { t: 400, key: { field: 'EXPIRY', digits: 4 } }, { t: 500, key: { field: 'EXPIRY', digits: 4 } },
    ], [100, 200, 300, 400, 500]);
    expect(recordedKeyPresses(full, deviceFrames(full), digits(5)).presses.map((p) => p.frameTime)).toEqual([400, 400, 400, 400, 500]);
  });

  it('takes one key per frame where the scenario does not fit a merge, and says nothing was merged without one', () => {
    const unfit = keySession([{ t: 500, key: { digits: 3 } }], [100, 200, 300]);
    const { presses, merged } = recordedKeyPresses(unfit, deviceFrames(unfit), ['DIGIT', 'ENTER', 'DIGIT']);
    expect([presses.length, merged]).toEqual([1, false]);
    // A rise the key times cannot explain (keys pressed after the frame went out): an edited capture, one key.
    const edited = keySession([{ t: 100, key: { digits: 1 } }, { t: 220, key: { digits: 9 } }], [100, 220, 340, 460]);
    expect(recordedKeyPresses(edited, deviceFrames(edited), digits(4)).presses.map((p) => p.frameTime)).toEqual([100, 220]);
    const plain = keySession([{ t: 100, key: { digits: 1 } }, { t: 200, key: { digits: 2 } }], [100, 200]);
    const each = recordedKeyPresses(plain, deviceFrames(plain), digits(2));
    expect([each.presses.map((p) => p.frameTime), each.merged]).toEqual([[100, 200], false]);
  });
});
