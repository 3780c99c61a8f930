/** The idle probe the scale case runs beside its paced runs: a separate process that reports its own timer delays. */
import { describe, expect, it } from 'vitest';
import { startIdleProbe } from '../../bench/scale/idle-probe.js';

describe('idle probe', () => {
  it('measures in a process of its own and reports its timer delay percentiles when stopped', async () => {
    const probe = await startIdleProbe();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const noise = await probe.stop();
    expect(Number.isFinite(noise.delayP99Ms)).toBe(true);
    expect(Number.isFinite(noise.delayMaxMs)).toBe(true);
    expect(noise.delayP99Ms).toBeGreaterThan(0);
    expect(noise.delayMaxMs).toBeGreaterThanOrEqual(noise.delayP99Ms);
  });
});
