/**
 * Shared setup of the simulator tests: simulators and hosts started by a test are closed after it, whatever
 * happened. Call `simulatorPool()` once at the top of a test file.
 */
import { afterEach } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../device-sim/index.js';
import { connectTcp, openSerial, TestHost, type TestHostOptions } from './test-host.js';

/** The device calendar of these tests (cards expiring 12/30 are valid). */
export const NOW = (): Date => new Date('2026-11-27T12:00:00Z');

export interface SimulatorPool {
  /** A simulator with the test calendar; closed after the test. */
  sim(options: SimulatorOptions): Promise<RunningSimulator>;
  /** A TestHost on a new TCP connection to `sim`. */
  tcpHost(sim: RunningSimulator, options?: TestHostOptions): Promise<TestHost>;
  /** A TestHost on the simulator's PTY, opened with serialport like a real host. */
  serialHost(sim: RunningSimulator, options?: TestHostOptions): Promise<TestHost>;
  /** A TCP simulator and one host on it. */
  tcpPair(options: SimulatorOptions, hostOptions?: TestHostOptions): Promise<{ sim: RunningSimulator; host: TestHost }>;
}

export function simulatorPool(): SimulatorPool {
  let sims: RunningSimulator[] = [];
  let hosts: TestHost[] = [];
  afterEach(async () => {
    for (const host of hosts) host.close();
    for (const sim of sims) await sim.close();
    hosts = [];
    sims = [];
  });
  const keep = (host: TestHost): TestHost => {
    hosts.push(host);
    return host;
  };
  const pool: SimulatorPool = {
    async sim(options) {
      const sim = await startSimulator({ now: NOW, ...options });
      sims.push(sim);
      return sim;
    },
    async tcpHost(sim, options = {}) {
      return keep(new TestHost(await connectTcp(sim.address), options));
    },
    async serialHost(sim, options = {}) {
      return keep(new TestHost(await openSerial(sim.address), options));
    },
    async tcpPair(options, hostOptions = {}) {
      const sim = await pool.sim({ listen: 'tcp://127.0.0.1:0', ...options });
      return { sim, host: await pool.tcpHost(sim, hostOptions) };
    },
  };
  return pool;
}
