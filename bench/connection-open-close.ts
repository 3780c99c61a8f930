/**
 * Micro-bench of one KeypadConnection's lifecycle, the part of a replayed session the connection machine costs:
 * open over the in-memory cable to a VirtualKeypad, HELLO → INFO, close — N times on virtual time, reporting CPU µs
 * per connection (user + system, median of the batches). Not part of `npm test` or `npm run bench`:
 *
 *   node --expose-gc --import tsx bench/connection-open-close.ts [connections per batch = 2000] [batches = 5]
 */
import { VirtualKeypad } from '../device-sim/virtual-keypad.js';
import { KeypadConnection } from '../host-driver/keypad-connection.js';
import { silentLogger } from '../host-driver/logger.js';
import { memoryCable } from '../testing/memory-cable.js';
import { VirtualTime } from '../testing/virtual-time.js';

const perBatch = Number(process.argv[2] ?? 2000);
const batches = Number(process.argv[3] ?? 5);

const time = new VirtualTime();
const { clock } = time;
const keypad = new VirtualKeypad({ clock, now: () => new Date('2030-01-01T00:00:00Z') });

async function openAndClose(): Promise<void> {
  const connection = new KeypadConnection({
    address: 'memory://bench',
    openTransport: async () => {
      const cable = memoryCable({ description: 'memory://bench' });
      keypad.attach(cable.device);
      return cable.host;
    },
    clock, logger: silentLogger, reconnect: false, connectTimeoutMs: 5_000, link: {},
    random: () => 0.5,
  });
  const connected = connection.connect();
  if (!(await time.runUntilSettled(connected, 60_000))) throw new Error('connect() did not settle');
  await connected;
  const closed = connection.close();
  if (!(await time.runUntilSettled(closed, 60_000))) throw new Error('close() did not settle');
}

const gc = (globalThis as { gc?: () => void }).gc;
for (let i = 0; i < Math.min(500, perBatch); i++) await openAndClose(); // warm-up: JIT, xstate's lazy state-node caches
const cpuUs: number[] = [];
const wallUs: number[] = [];
for (let b = 0; b < batches; b++) {
  gc?.();
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  for (let i = 0; i < perBatch; i++) await openAndClose();
  const used = process.cpuUsage(cpu);
  cpuUs.push((used.user + used.system) / perBatch);
  wallUs.push(Number(process.hrtime.bigint() - wall) / 1e3 / perBatch);
}
keypad.close();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(JSON.stringify({
  connectionsPerBatch: perBatch, batches,
  cpuUsPerConnection: Math.round(median(cpuUs)), wallUsPerConnection: Math.round(median(wallUs)),
  cpuUsBatches: cpuUs.map(Math.round),
}));
