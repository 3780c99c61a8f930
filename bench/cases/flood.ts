/**
 * Hostile peers at line rate (issue #13), over real TCP in this process: a host that floods the virtual keypad with
 * requests (GET_STATUS and PING by turns) and never reads, reconnecting each time it is dropped; and a "keypad" that
 * floods the real driver with STATUS and never reads, while the driver reconnects each time it drops it. Each runs
 * for TENKEY_FLOOD_SECONDS (default 60). "Line rate" here is as fast as the victim takes the bytes (the flooders honour
 * their own write backpressure, so what grows is the victim's memory, if anything). Records how far RSS moved (after a
 * GC, target: at most 32 MB), how many times the flooder was dropped for not reading (QUEUE_FULL, PEER_NOT_READING),
 * the flood frames sent, and whether the next honest entry afterwards reads the right card (1 = yes).
 */
import { startSimulator } from '../../device-sim/index.js';
import { TEST_CARDS } from '../../device-sim/test-cards.js';
import { openTenkey, type TenkeyKeypad } from '../../host-driver/index.js';
import type { ProtocolError } from '../../protocol/index.js';
import { keysOf } from '../../test/bad-input/driver-on-simulator.js';
import { floodingKeypad, floodKeypad, type HostFloodKind } from '../../test/bad-input/flooding-peers.js';
import { NOW } from '../../test/device-sim/simulators.js';
import type { BenchCase, BenchContext, BenchRecord } from '../record.js';

const RSS_TARGET_MB = 32;
const VISA = keysOf('pan:visa', 'enter', 'exp:valid', 'enter');

function floodSeconds(): number {
  const text = process.env.TENKEY_FLOOD_SECONDS;
  const seconds = text === undefined ? 60 : Number(text);
  if (!(seconds > 0 && seconds <= 3600)) throw new TypeError('TENKEY_FLOOD_SECONDS must be a number of seconds from 0 to 3600');
  return seconds;
}

/** RSS in MB after a full GC (npm run bench passes --expose-gc), so garbage not yet collected does not count. */
function settledRssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
}

/** Whether the driver reads the Visa the keypad types: its brand, and the last digits the entry reveals (3 by default). */
async function readsVisa(keypad: TenkeyKeypad): Promise<boolean> {
  const card = await keypad.readCard();
  return card.brand === 'visa' && card.last === TEST_CARDS.visa.slice(-3);
}

async function floodTheKeypad(seconds: number, log: BenchContext['log']): Promise<{ rssMb: number; drops: number; frames: number; honest: boolean }> {
  const sim = await startSimulator({ listen: 'tcp://127.0.0.1:0', keys: VISA, now: NOW });
  try {
    const port = Number(sim.address.split(':').at(-1));
    const drops = new Map<string, number>();
    sim.keypad.on('host-dropped', (error: ProtocolError) => drops.set(error.code, (drops.get(error.code) ?? 0) + 1));
    const before = settledRssMb();
    const until = Date.now() + seconds * 1000;
    let frames = 0;
    for (let round = 0; Date.now() < until; round++) {
      const kind: HostFloodKind = round % 2 === 0 ? 'GET_STATUS' : 'PING';
      const flood = await floodKeypad(port, kind);
      const timer = setTimeout(() => flood.stop(), Math.max(0, until - Date.now()));
      await flood.closed;
      clearTimeout(timer);
      frames += flood.frames;
    }
    const rssMb = settledRssMb() - before;
    log(`  keypad: ${frames.toLocaleString('en-US')} flood frames in ${seconds} s, hosts dropped ${JSON.stringify(Object.fromEntries(drops))}, RSS ${rssMb >= 0 ? '+' : ''}${rssMb.toFixed(1)} MB`);
    const keypad = await openTenkey({ device: sim.address, reconnect: false });
    try {
      return { rssMb, drops: [...drops.values()].reduce((a, b) => a + b, 0), frames, honest: await readsVisa(keypad) };
    } finally {
      await keypad.close();
    }
  } finally {
    await sim.close();
  }
}

async function floodTheDriver(seconds: number, log: BenchContext['log']): Promise<{ rssMb: number; drops: number; frames: number; honest: boolean }> {
  const flooder = await floodingKeypad();
  const drops = new Map<string, number>();
  const keypad = await openTenkey({ device: flooder.address, reconnect: { initialDelayMs: 10, maxDelayMs: 200 } });
  try {
    keypad.on('connection', (event) => {
      if (event.status === 'disconnected' && event.error !== undefined) drops.set(event.error.reason, (drops.get(event.error.reason) ?? 0) + 1);
    });
    const before = settledRssMb();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const frames = flooder.frames;
    const dropCount = drops.get('PEER_NOT_READING') ?? 0;
    await flooder.close();
    const rssMb = settledRssMb() - before;
    log(`  driver: ${frames.toLocaleString('en-US')} STATUS frames in ${seconds} s over ${flooder.connections} connections, `
      + `dropped ${JSON.stringify(Object.fromEntries(drops))}, RSS ${rssMb >= 0 ? '+' : ''}${rssMb.toFixed(1)} MB`);
    // The honest keypad comes up where the flooder was; the same driver reconnects to it and reads a card.
    const sim = await startSimulator({ listen: `tcp://127.0.0.1:${flooder.port}`, keys: VISA, now: NOW });
    try {
      await new Promise<void>((resolve) => {
        const connected = (event: { status: string }): void => {
          if (event.status !== 'connected') return;
          keypad.off('connection', connected);
          resolve();
        };
        keypad.on('connection', connected);
      });
      return { rssMb, drops: dropCount, frames, honest: await readsVisa(keypad) };
    } finally {
      await keypad.close();
      await sim.close();
    }
  } finally {
    await keypad.close();
    await flooder.close();
  }
}

export const floodCase: BenchCase = {
  name: 'flood',
  async run({ log }) {
    const seconds = floodSeconds();
    log(`flood: ${seconds} s of line-rate requests (never read) against the keypad, then ${seconds} s of STATUS (never read) `
      + `against the driver, over TCP; target RSS moved ≤ ${RSS_TARGET_MB} MB and the next honest entry reads the card (TENKEY_FLOOD_SECONDS sets the time)`);
    const records: BenchRecord[] = [];
    for (const [who, run] of [['keypad', floodTheKeypad], ['driver', floodTheDriver]] as const) {
      const outcome = await run(seconds, log);
      // Drops are reported, not required: a short run may end before the victim's kernel socket buffers fill.
      const met = outcome.rssMb <= RSS_TARGET_MB && outcome.honest;
      log(`flood target (${who}): ${met ? 'met' : 'NOT met'}`);
      records.push(
        { name: `RSS moved by ${seconds} s flood against the ${who}`, value: outcome.rssMb, unit: 'MB', baseline: null, ratio: null },
        { name: `flooders dropped for not reading in ${seconds} s against the ${who}`, value: outcome.drops, unit: 'drops', baseline: null, ratio: null },
        { name: `flood frames sent in ${seconds} s against the ${who}`, value: outcome.frames, unit: 'frames', baseline: null, ratio: null },
        { name: `honest entry after the ${who} flood read the right card`, value: outcome.honest ? 1 : 0, unit: '1 = yes', baseline: null, ratio: null },
      );
    }
    return records;
  },
};
