/**
 * The scale run's keypads: N simulators, each on its own PTY, either on this thread beside the drivers or on a
 * worker thread of the same process. Real keypads are separate devices, so in the worker the drivers' thread
 * carries only what a store backend would: the host side of every entry. The bench runs it that way to use both
 * cores of one process; the keypad side's own cost then shows as the worker's CPU instead of the drivers' time.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { startSimulator, type RunningSimulator } from '../../device-sim/index.js';
import type { MemorySnapshot } from './memory.js';

export interface FleetOptions {
  /** One key script per keypad (typed the moment an entry starts). */
  keyScripts: readonly string[];
  mergeKeyReports: boolean;
  /** Called before each simulator starts, to turn a failure into a message naming the keypad. */
  opening?: <T>(index: number, open: () => Promise<T>) => Promise<T>;
}

export interface KeypadFleet {
  /** What each driver opens, by keypad index. */
  readonly addresses: readonly string[];
  /** Frames the keypads sent and received so far on their current connections (every frame on the wires, once). */
  wireFrames(): Promise<number>;
  /** The keypads' own heap when they run on a worker (its isolate is apart from this one), else undefined. */
  workerMemory(): Promise<MemorySnapshot | undefined>;
  /** The worker's heap before its first keypad started (undefined when they run here). */
  readonly workerMemoryBefore: MemorySnapshot | undefined;
  /** CPU ms the keypads' worker thread used so far, or undefined when they share this thread. */
  workerCpuMs(): Promise<number | undefined>;
  close(): Promise<void>;
}

/** Frames of simulators on this thread. */
export function framesOf(simulators: readonly RunningSimulator[]): number {
  let frames = 0;
  for (const simulator of simulators) {
    const stats = simulator.keypad.attachment?.link.stats;
    if (stats !== undefined) frames += stats.framesSent + stats.framesReceived;
  }
  return frames;
}

/** CPU ms of the calling thread (Linux /proc/thread-self), or undefined elsewhere. */
export function ownThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

export async function startLocalFleet(options: FleetOptions): Promise<KeypadFleet> {
  const simulators: RunningSimulator[] = [];
  const opening = options.opening ?? ((_: number, open) => open());
  try {
    for (const [index, keys] of options.keyScripts.entries()) {
      simulators.push(await opening(index, () => startSimulator({ listen: 'pty', keys, mergeKeyReports: options.mergeKeyReports })));
    }
  } catch (error) {
    await Promise.allSettled(simulators.map((s) => s.close()));
    throw error;
  }
  return {
    addresses: simulators.map((s) => s.address),
    wireFrames: async () => framesOf(simulators),
    workerMemory: async () => undefined,
    workerMemoryBefore: undefined,
    workerCpuMs: async () => undefined,
    close: async () => void (await Promise.allSettled(simulators.map((s) => s.close()))),
  };
}

/** Requests to the worker and its answers (keypad-fleet-worker.ts). */
export type FleetRequest = { id: number; kind: 'frames' | 'memory' | 'cpu' | 'close' };
export type FleetAnswer =
  | { kind: 'ready'; addresses: string[]; before: MemorySnapshot }
  | { kind: 'failed'; index: number; message: string }
  | { id: number; value: unknown };

export async function startWorkerFleet(options: FleetOptions): Promise<KeypadFleet> {
  // Node 20 gives a worker none of the main thread's module hooks: the worker registers tsx itself, then loads its module.
  const workerModule = new URL('./keypad-fleet-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(workerModule)}); })`;
  const worker = new Worker(bootstrap, {
    eval: true,
    // The simulators close fds the native PTY addon opened: not a leak for Node to warn about.
    trackUnmanagedFds: false,
    workerData: { keyScripts: options.keyScripts, mergeKeyReports: options.mergeKeyReports },
  });
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 0;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const { addresses, before } = await new Promise<{ addresses: string[]; before: MemorySnapshot }>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`keypad worker exited with code ${code} before its keypads were ready`)));
    worker.on('message', (answer: FleetAnswer) => {
      if ('kind' in answer && answer.kind === 'ready') resolve(answer);
      else if ('kind' in answer && answer.kind === 'failed') {
        const opening = options.opening ?? ((_: number, open) => open());
        opening(answer.index, () => Promise.reject(new Error(answer.message))).catch(reject);
      } else if ('id' in answer) {
        pending.get(answer.id)?.(answer.value);
        pending.delete(answer.id);
      }
    });
  });
  const ask = <T>(kind: FleetRequest['kind']): Promise<T> => new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve as (value: unknown) => void);
    worker.postMessage({ id, kind } satisfies FleetRequest);
  });
  return {
    addresses,
    wireFrames: () => ask<number>('frames'),
    workerMemory: () => ask<MemorySnapshot>('memory'),
    workerMemoryBefore: before,
    workerCpuMs: () => ask<number | undefined>('cpu'),
    async close() {
      await Promise.race([ask('close'), exited]);
      await worker.terminate();
    },
  };
}
