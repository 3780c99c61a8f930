/**
 * One scale run from the command line, for profiling and comparing designs (not a bench case):
 *   node --expose-gc --import tsx bench/scale/profile-scale.ts [keypads=256] [entriesPerKeypad=4] [pace/s, 0 = back to back] [rounds=1]
 * Prints entries/s, CPU ms per entry (process, main thread, other threads), wire frames per entry, loop busy and
 * latency percentiles. TENKEY_TRANSPORT=serialport|tty-stream picks the drivers' serial transport, TENKEY_LINK='{"pingIntervalMs":…}'
 * their link options, TENKEY_KEYPAD_THREAD=worker runs the keypads on a worker thread, TENKEY_MERGE=0
 * has them report every key. TENKEY_PROFILE=FILE also writes a CPU profile of the measured rounds only (for a flame view).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { percentile } from './percentile.js';
import { runScale } from './scale-harness.js';

const [keypads = 256, entriesPerKeypad = 4, pace = 0, rounds = 1] = process.argv.slice(2).map(Number);
const profileFile = process.env.TENKEY_PROFILE;
const transport = process.env.TENKEY_TRANSPORT as 'tty-stream' | 'serialport' | undefined;
const keypadThread = process.env.TENKEY_KEYPAD_THREAD as 'main' | 'worker' | undefined;
const mergeKeyReports = process.env.TENKEY_MERGE !== '0';
const link = process.env.TENKEY_LINK === undefined ? undefined : JSON.parse(process.env.TENKEY_LINK);
const session = new Session();
const report = await runScale({
  keypads, entriesPerKeypad, rounds, transport, link, keypadThread, mergeKeyReports, ...(pace > 0 ? { paceEntriesPerSecond: pace, warmupRounds: 0 } : {}),
  ...(profileFile === undefined ? {} : {
    measuring: {
      async start() {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 200 });
        await session.post('Profiler.start');
      },
      async stop() {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(profileFile, JSON.stringify(profile));
        session.disconnect();
      },
    },
  }),
});
const seconds = report.roundSeconds.reduce((a, b) => a + b, 0);
const latency = report.entries.map((e) => e.latencyMs);
const { user, system, mainThread, otherThreads, keypadThread: keypadCpu } = report.cpuMsPerEntry;
const f = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(2));
console.log(JSON.stringify({
  keypads, transport: transport ?? 'default', keypadThread: keypadThread ?? 'main', pace: pace || 'saturation', entries: report.entries.length, failed: report.failures.length,
  entriesPerSecond: Math.round(report.entries.length / seconds),
  cpuMsPerEntry: { process: f(user + system), user: f(user), system: f(system), mainThread: f(mainThread), keypadThread: f(keypadCpu), otherThreads: f(otherThreads) },
  framesPerEntry: report.framesPerEntry.toFixed(1),
  loopBusy: report.loop.utilization.toFixed(2),
  p50: percentile(latency, 50).toFixed(1), p99: percentile(latency, 99).toFixed(1),
  failures: report.failures.reduce<Record<string, number>>((byCause, { cause }) => ({ ...byCause, [cause]: (byCause[cause] ?? 0) + 1 }), {}),
}));
