/**
 * Reading key presses back from a capture's KEY frames when the keypad merged DIGIT reports that outran a noisy line
 * (PROTOCOL.md §5.11): the noisy-link fixture has such frames, and its replay against the device must press every key
 * of the scenario at its recorded time (the fixture replays themselves are in replay-fixtures.test.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { recordedKeyPresses } from '../../cli/capture/recorded-key-presses.js';
import { expandKeyScript } from '../../device-sim/test-cards.js';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { isCapturedFrame, timelineOfRecords } from '../../protocol/capture/capture-frames.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/captures/noisy-link.jsonl');
const capture = parseCapture(readFileSync(fixture, 'utf8'));
const d2h = timelineOfRecords(capture.records).filter(isCapturedFrame).filter((f) => f.dir === 'd2h');
const scenario = capture.header.scenario!;
const keyCount = expandKeyScript(scenario.keys!, scenario.deviceDate).length;
const keySeq = (f: (typeof d2h)[number]) => (f.result.ok && f.result.frame.message.type === 'KEY' ? f.result.frame.seq : undefined);
const newKeyFrames = d2h.filter((f, i) => keySeq(f) !== undefined && !d2h.slice(0, i).some((g) => keySeq(g) === keySeq(f)));

describe('recordedKeyPresses', () => {
  it('finds every key of the scenario, though merged frames report several at once', () => {
    expect(newKeyFrames.length).toBeLessThan(keyCount); // the fixture does merge: otherwise this test proves nothing
    const presses = recordedKeyPresses(capture, d2h, keyCount);
    expect(presses.map((p) => p.t)).toEqual(scenario.keyTimes);
    // Each press comes before the frame that reported it, and after everything recorded before its moment.
    for (const press of presses) {
      expect(press.t).toBeLessThanOrEqual(press.frameTime);
      expect(capture.records.slice(0, Math.ceil(press.at)).every((r) => r.t <= press.t)).toBe(true);
    }
  });

  it('counts one press per KEY frame when the merged counts do not add up to the scenario', () => {
    const withoutTimes = { ...capture, header: { ...capture.header, scenario: { ...scenario, keyTimes: undefined } } };
    const presses = recordedKeyPresses(withoutTimes, d2h, keyCount + 1);
    expect(presses).toHaveLength(newKeyFrames.length);
    expect(presses.map((p) => p.t)).toEqual(newKeyFrames.map((f) => f.tFirstByte)); // no keyTimes: each at its frame
  });
});
