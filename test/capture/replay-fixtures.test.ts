import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCapture } from '../../protocol/capture/capture-reader.js';
import { replayCapture } from '../../replay/replay-capture.js';
import { formatReplayReport } from '../../replay/replay-report.js';

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/captures');
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.jsonl')).sort();

describe.each(['host', 'device'] as const)('every fixture replays green against the %s (virtual time)', (against) => {
  it.each(fixtures)('%s', async (name) => {
    const capture = parseCapture(readFileSync(join(fixtureDir, name), 'utf8'));
    const report = await replayCapture(capture, { against, timing: { instant: true } });
    // The report's own lines are the failure message: a diff names the frame and the fields.
    expect(formatReplayReport(report, name).join('\n')).toMatch(/^✓ /);
    expect(report.ok).toBe(true);
    expect(report.compared).toBeGreaterThan(0);
  });
});
