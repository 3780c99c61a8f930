/**
 * `tenkey demo`'s arguments are checked before a keypad exists (exit 2, one clear line), and a failed entry
 * says why: the store's message plus code, cause and detail, with the store error's exit code.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualKeypad } from '../../device-sim/index.js';
import { STORE_MESSAGES } from '../../host-driver/index.js';
import { EXIT_CODES } from '../../cli/exit-codes.js';
import { runCliInProcess } from './cli-runner.js';
import { cardKeys, PAST_EXPIRY, TEST_CARDS } from './harness.js';

describe('tenkey demo', () => {
  it.each([
    [['demo', '--timeout', 'abc'], /--timeout must be an integer from 1 to 300/],
    [['demo', '--timeout', '0'], /--timeout must be an integer from 1 to 300/],
    [['demo', '--timeout', '301'], /--timeout must be an integer from 1 to 300/],
    [['demo', '--keys', '12x'], /--keys: unexpected "x" .* at column 3/],
    [['demo', '--keys', '1<enterr>'], /--keys: unknown key <enterr> .* at column 2/],
  ])('refuses %j with one clear line and exit 2, before starting a keypad', async (args, message) => {
    const run = await runCliInProcess(args);
    expect(run.code).toBe(EXIT_CODES.USAGE);
    expect(run.stderr.split('\n')[0]).toMatch(message);
    expect(run.stderr).not.toContain(STORE_MESSAGES.TEMPORARY.ja);
    expect(run.stdout).toBe('');
  });

  it('refuses to start while another running keypad holds its state file: one line, exit 1', async () => {
    // tenkey sim, demo and demo-store --with-keypad share this default file (test/setup/state-dir.ts sets XDG_STATE_HOME).
    const counterFile = join(process.env.XDG_STATE_HOME!, 'tenkey', 'keypads', 'SIM-00000001.json');
    const running = new VirtualKeypad({ counterFile });
    try {
      const run = await runCliInProcess(['demo', '--no-interactive']);
      expect(run.code).toBe(1);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^tenkey demo: cannot start: the keypad state file .* is in use by another running keypad \(process \d+/);
    } finally {
      running.close();
    }
  });

  it('reports a failed entry with the store message, its cause and detail, and the store error exit code', async () => {
    const run = await runCliInProcess(['demo', '--no-interactive', '--keys', cardKeys(TEST_CARDS.visa, PAST_EXPIRY)]);
    expect(run.code).toBe(EXIT_CODES.CARD_SERVICE);
    expect(run.stderr).toContain(STORE_MESSAGES.CARD_SERVICE.ja);
    expect(run.stderr).toContain('[CARD_SERVICE: EXPIRED_CARD — device: card expired]');
  });
});
