import { describe, expect, it } from 'vitest';
import { cardKeys, simulator, TEST_CARDS } from './harness.js';
import { runNode } from './cli-runner.js';

describe('close() releases everything', () => {
  // Over TCP here; the serial port's handles are covered by cli.test.ts, whose `tenkey read` over a PTY must exit by itself too.
  it('a process that opens, reads a card and closes exits on its own', async () => {
    const sim = await simulator('tcp', { keys: cardKeys(TEST_CARDS.visa) });
    // runNode rejects if the child has not exited within its timeout: a leaked handle fails here.
    const run = await runNode(['test/host-driver/fixtures/open-read-close.ts', sim.address], { timeoutMs: 15_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ brand: 'visa', last: '111', status: 'connected' });
  });
});
