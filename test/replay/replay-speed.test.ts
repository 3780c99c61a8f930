/**
 * `--speed` (issue #13): a paced replay holds the virtual clock to the wall clock N times faster, so an untouched
 * capture replays green at both ends of the accepted range, and a speed outside it is refused before anything runs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../cli/exit-codes.js';
import { parseCapture, replayCapture, REPLAY_SPEED_RANGE } from '../../replay/index.js';
import { useCliHarness } from '../capture/cli-harness.js';

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/captures');
const path = (name: string): string => join(fixtureDir, `${name}.jsonl`);
const load = (name: string) => parseCapture(readFileSync(path(name), 'utf8'));

describe('replay --speed', () => {
  const cli = useCliHarness();

  it('accepts 0.1 to 1000 times the recorded speed', () => {
    expect(REPLAY_SPEED_RANGE).toEqual({ min: 0.1, max: 1000 });
  });

  it.each(['host', 'device'] as const)('at the slow bound (0.1×) replays an untouched short capture green against the %s, paced', async (against) => {
    // busy: 100 ms recorded, so about 1 s of real time at 0.1×.
    const report = await replayCapture(load('busy'), { against, timing: { speed: REPLAY_SPEED_RANGE.min } });
    expect(report.diffs).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.wallMs).toBeGreaterThanOrEqual(report.recordedDurationMs / REPLAY_SPEED_RANGE.min - 1);
  }, 20_000);

  it.each(['host', 'device'] as const)('at the fast bound (1000×) replays untouched captures green against the %s, a noisy line included', async (against) => {
    for (const name of ['happy-visa', 'noisy-link', 'cancel-from-host']) {
      const report = await replayCapture(load(name), { against, timing: { speed: REPLAY_SPEED_RANGE.max } });
      expect([name, report.diffs, report.notes]).toEqual([name, [], []]);
      expect(report.ok).toBe(true);
    }
  }, 20_000);

  it('finds the same difference paced as on virtual time (a tampered capture)', async () => {
    const tampered = () => {
      const capture = load('happy-visa');
      capture.header.scenario!.outcome = { kind: 'card', brand: 'visa', last: '999' };
      return capture;
    };
    const instant = await replayCapture(tampered(), { against: 'device' });
    const paced = await replayCapture(tampered(), { against: 'device', timing: { speed: REPLAY_SPEED_RANGE.max } });
    expect(instant.ok).toBe(false);
    expect(paced.notes).toEqual(instant.notes);
    expect(paced.diffs).toEqual(instant.diffs);
  }, 20_000);

  it.each([0, 0.09, 1000.5, Number.NaN, Number.POSITIVE_INFINITY, -1])('the library refuses speed %s with a RangeError naming the range', async (speed) => {
    await expect(replayCapture(load('busy'), { against: 'host', timing: { speed } })).rejects.toThrow(
      new RangeError(`speed must be a number from 0.1 to 1000, got ${speed}`),
    );
  });

  it.each(['0.05', '1001', '1e9', ''])('tenkey replay --speed %j is a usage error naming the range', async (value) => {
    const { code, out, err } = await cli.run('replay', path('busy'), '--speed', value);
    expect([code, out, err]).toEqual([EXIT_CODES.USAGE, '', `tenkey replay: --speed must be a number from 0.1 to 1000, not ${value}\n`]);
  });

  it('tenkey replay --speed 1000 of an untouched capture exits 0', async () => {
    const { code, out } = await cli.run('replay', path('cancel-on-keypad'), '--against', 'device', '--speed', '1000');
    expect(out).toMatch(/^✓ .*cancel-on-keypad\.jsonl: against device/m);
    expect(code).toBe(EXIT_CODES.OK);
  });
});
