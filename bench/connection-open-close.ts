/**
 * Micro-bench of one KeypadConnection's lifecycle, the part of a replayed session the connection machine costs:
 * open over the in-memory cable to a VirtualKeypad, HELLO → INFO, close — N times on virtual time, reporting CPU µs
 * per connection (user + system, median of the batches); and the machine alone (createActor, start, CONNECT,
 * LINK_OPENED, HELLO_ACKED, INFO, CLOSE with no-op effects), xstate's share of it. Not in `npm test` or `npm run bench`:
 *
 *   node --expose-gc --import tsx bench/connection-open-close.ts [connections per batch = 2000] [batches = 5]
 */
import { createActor } from 'xstate';
import { VirtualKeypad } from '../device-sim/virtual-keypad.js';
import { connectionMachine } from '../host-driver/connection/connection-machine.js';
import { KeypadConnection } from '../host-driver/keypad-connection.js';
import { silentLogger } from '../host-driver/logger.js';
import { PROTOCOL_VERSION, type InfoMessage } from '../protocol/index.js';
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

const INFO: InfoMessage = {
  type: 'INFO', protocolVersion: PROTOCOL_VERSION, model: 'BENCH', firmwareVersion: '1', serialNumber: 'B-1',
  keySetId: new Uint8Array(8), acceptedBrands: ['visa'],
};
const noEffects = connectionMachine.provide({
  actions: { openLink() {}, sayHello() {}, watchLink() {}, deliverMessages() {}, endSession() {}, log() {}, announce() {} },
});
const machineInput = { address: 'memory://bench', reconnect: false as const, connectTimeoutMs: 5_000, answerWaitMs: 1_000 };
const session = {} as never;
function machineAlone(): void {
  const actor = createActor(noEffects, { clock, input: machineInput });
  actor.subscribe(() => {});
  actor.start();
  for (const event of [{ type: 'CONNECT' }, { type: 'LINK_OPENED', session }, { type: 'HELLO_ACKED' }, { type: 'INFO', info: INFO }, { type: 'CLOSE' }] as const) {
    actor.send(event);
  }
  if (actor.getSnapshot().value !== 'closed') throw new Error('the machine did not close');
}
for (let i = 0; i < 2000; i++) machineAlone();
const machineCpuUs: number[] = [];
for (let b = 0; b < batches; b++) {
  gc?.();
  const cpu = process.cpuUsage();
  for (let i = 0; i < perBatch * 5; i++) machineAlone();
  const used = process.cpuUsage(cpu);
  machineCpuUs.push((used.user + used.system) / (perBatch * 5));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(JSON.stringify({
  connectionsPerBatch: perBatch, batches,
  cpuUsPerConnection: Math.round(median(cpuUs)), wallUsPerConnection: Math.round(median(wallUs)),
  cpuUsBatches: cpuUs.map(Math.round),
  machineOnlyCpuUsPerConnection: Math.round(median(machineCpuUs)),
}));
