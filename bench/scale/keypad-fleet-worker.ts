/** The worker side of keypad-fleet.ts: starts the simulators, answers for frames, memory and CPU, closes them. */
import { parentPort, workerData } from 'node:worker_threads';
import { startSimulator, type RunningSimulator } from '../../device-sim/index.js';
import { framesOf, ownThreadCpuMs, type FleetAnswer, type FleetRequest } from './keypad-fleet.js';
import { memorySnapshot } from './memory.js';

const { keyScripts, mergeKeyReports } = workerData as { keyScripts: string[]; mergeKeyReports: boolean };
const port = parentPort!;
const post = (answer: FleetAnswer) => port.postMessage(answer);
const simulators: RunningSimulator[] = [];
const before = memorySnapshot();

for (const [index, keys] of keyScripts.entries()) {
  try {
    simulators.push(await startSimulator({ listen: 'pty', keys, mergeKeyReports }));
  } catch (error) {
    await Promise.allSettled(simulators.map((s) => s.close()));
    post({ kind: 'failed', index, message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
}
port.on('message', async (request: FleetRequest) => {
  const { id, kind } = request;
  if (kind === 'frames') post({ id, value: framesOf(simulators) });
  else if (kind === 'memory') post({ id, value: memorySnapshot() });
  else if (kind === 'cpu') post({ id, value: ownThreadCpuMs() });
  else {
    await Promise.allSettled(simulators.map((s) => s.close()));
    post({ id, value: null });
    port.close();
  }
});
post({ kind: 'ready', addresses: simulators.map((s) => s.address), before });
