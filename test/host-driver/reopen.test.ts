/**
 * openTenkey, close(), openTenkey again at once (issue #13): close() resolves only once the keypad has let the host
 * go (FIN answered by FIN), and the keypad frees its slot on a host's FIN, so the reopen is never refused BUSY.
 * 1,000 cycles against the real TCP simulator; each cycle is a full connect and HELLO → INFO handshake.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../device-sim/index.js';
import { openTenkey, TenkeyError } from '../../host-driver/index.js';

const CYCLES = 1000;

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('reopening a TCP keypad', () => {
  it(`opens, closes and opens again at once ${CYCLES.toLocaleString('en-US')} times without BUSY`, async () => {
    sim = await startSimulator({ listen: 'tcp://127.0.0.1:0' });
    const failures: string[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      try {
        const keypad = await openTenkey({ device: sim.address, reconnect: false });
        await keypad.close();
      } catch (error) {
        failures.push(error instanceof TenkeyError ? `${cycle}: ${error.reason}` : `${cycle}: ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(sim.keypad.connected).toBe(false);
  }, 120_000);
});
