/**
 * A read over a noisy line (seeded byte faults in both directions, as `tenkey sim --fault` plays them): frames
 * whose every copy is lost must cost progress reports at most, never the entry. The keypad ends the entry only
 * when the host is really gone (PROTOCOL.md §6.4), and sends its RESULT again while the host is still heard.
 */
import { describe, expect, it } from 'vitest';
import { cardKeys, open, simulator, TEST_CARDS } from './harness.js';

/** Liveness bound (turns a hang into a failure; not a speed assertion): without the fix the read hangs 5 minutes. */
const READ_BOUND_MS = 60_000;

describe('readCard on a noisy line', () => {
  it('drop=1%,corrupt=1% (seed 42) over a PTY: the read completes with the right brand', async () => {
    const sim = await simulator('pty', {
      faults: 'drop=1%,corrupt=1%,seed=42', service: 'visa-master', keys: cardKeys(TEST_CARDS.mastercard),
    });
    const keypad = await open({ device: sim.address });
    let bound: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      bound = setTimeout(() => reject(new Error(`no outcome within ${READ_BOUND_MS} ms`)), READ_BOUND_MS);
    });
    try {
      const card = await Promise.race([keypad.readCard({ timeoutSeconds: 60 }), hang]);
      expect(card.brand).toBe('mastercard');
      expect(card.last).toBe(TEST_CARDS.mastercard.slice(-3));
    } finally {
      clearTimeout(bound);
    }
  }, READ_BOUND_MS + 10_000);
});
