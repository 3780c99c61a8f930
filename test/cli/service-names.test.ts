/**
 * Unknown 利用サービス names (issue 15 item 4): every place that refuses one lists the valid ids, and the `--help`
 * of the verbs that take `--service` lists them too, all from protocol/card-services.ts.
 */
import { describe, expect, it } from 'vitest';
import { openTenkey } from '../../host-driver/index.js';
import { CARD_SERVICES } from '../../protocol/card-services.js';
import { findKeypadService } from '../../device-sim/services.js';
import { runCliInProcess } from '../host-driver/cli-runner.js';

const IDS = CARD_SERVICES.map((s) => s.id);
const LISTED = `(known: ${IDS.join(', ')})`;

describe('unknown service names', () => {
  it('lists every valid id in the driver\'s and the simulator\'s errors', async () => {
    await expect(openTenkey({ device: 'tcp://127.0.0.1:9', service: 'nope' })).rejects.toMatchObject({ detail: `unknown card service "nope" ${LISTED}` });
    expect(() => findKeypadService('nope')).toThrow(`unknown card service "nope" ${LISTED}`);
  });

  it.each([['read'], ['bridge'], ['sim']])('lists every valid id in `%s --help`', async (verb) => {
    const run = await runCliInProcess([verb, '--help']);
    expect(run.code).toBe(0);
    const serviceLine = run.stdout.split('\n').findIndex((line) => line.includes('--service'));
    expect(serviceLine).toBeGreaterThanOrEqual(0);
    // commander wraps long descriptions: the ids may run on over the next lines.
    const described = run.stdout.split('\n').slice(serviceLine, serviceLine + 3).join(' ').replace(/\s+/g, ' ');
    for (const id of IDS) expect(described).toContain(id);
  });
});
