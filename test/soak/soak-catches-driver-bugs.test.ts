/**
 * The soak's own checks can fire: with the driver's CardEntry broken on purpose (vi.mock, this file only), a short
 * soak must fail. One break reports an entry again after its readCard settled (a duplicate delivery); the other
 * takes RESULTs of any session as its own (an earlier entry's card handed to a later readCard).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeviceMessage } from '../../protocol/index.js';
import { runSoak, soakPassed } from './soak-harness.js';

const broken = vi.hoisted(() => ({ bug: undefined as 'report-again' | 'any-result' | undefined }));

vi.mock('../../host-driver/card-entry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../host-driver/card-entry.js')>();
  const FINAL = new Set(['DONE', 'FAILED', 'TIMEOUT', 'CANCELLED']);
  class BrokenCardEntry extends actual.CardEntry {
    constructor(options: ConstructorParameters<typeof actual.CardEntry>[0]) {
      super({
        ...options,
        onProgress: (progress) => {
          options.onProgress(progress);
          // The final report, delivered once more a moment later.
          if (broken.bug === 'report-again' && FINAL.has(progress.state) && this.settled) setImmediate(() => options.onProgress(progress));
        },
      });
    }

    override handle(message: DeviceMessage): void {
      if (broken.bug === 'any-result' && message.type === 'RESULT') super.handle({ ...message, sessionId: this.sessionId });
      else super.handle(message);
    }
  }
  return { ...actual, CardEntry: BrokenCardEntry };
});

describe('the soak catches a broken driver', () => {
  afterEach(() => {
    broken.bug = undefined;
  });

  it('counts a report after the readCard settled as duplicated', async () => {
    broken.bug = 'report-again';
    const report = await runSoak({ entries: 20, seed: 1, rates: [0.01] });
    expect(report.total.duplicated).toBeGreaterThan(0);
    expect(soakPassed(report)).toBe(false);
  });

  it('counts another session\'s RESULT as a wrong card', async () => {
    broken.bug = 'any-result';
    const report = await runSoak({ entries: 60, seed: 1, rates: [0.03] });
    expect(report.total.wrongCard + report.total.duplicated).toBeGreaterThan(0);
    expect(soakPassed(report)).toBe(false);
  });

  it('passes the same short soaks with the driver intact', async () => {
    for (const [entries, rate] of [[20, 0.01], [60, 0.03]] as const) expect(soakPassed(await runSoak({ entries, seed: 1, rates: [rate] }))).toBe(true);
  });
});
