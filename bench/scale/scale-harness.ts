/**
 * The scale harness: N virtual keypads, each on its own PTY, and N drivers (serialport on each PTY path) in this
 * one process. Each driver runs entries back to back or paced; each simulator types its TEST card the moment an entry
 * starts (a key script with no waits), so the run measures the protocol stack, not a typist.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { expiryFor, TEST_CARDS } from '../../device-sim/test-cards.js';
import { openTenkey, TenkeyError, type Brand, type OpenTenkeyOptions, type TenkeyKeypad } from '../../host-driver/index.js';
import { openTenkeyOverTransport } from '../../host-driver/open-over-transport.js';
import { checkedOpenSettings } from '../../host-driver/open-settings.js';
import type { LinkTimingOptions } from '../../host-driver/options.js';
import { openSerialTransport } from '../../host-driver/transport/serial-transport.js';
import { openTtyStreamTransport } from '../../host-driver/transport/tty-stream-transport.js';
import { EntryTimingLogger } from './entry-timing-logger.js';
import { assertRoomFor, ScaleLimitError } from './fd-budget.js';
import { startLocalFleet, startWorkerFleet, type KeypadFleet } from './keypad-fleet.js';
import { memorySnapshot, perItem, type MemorySnapshot } from './memory.js';
import { threadCpuMs, type ThreadCpu } from './thread-cpu.js';

/**
 * The link options a process driving many keypads should pass (README, Benchmarks): keepalives drift apart instead
 * of firing in phase (jitter), and come every 3 s instead of every second, so 256 idle keypads cost ~85 PINGs a
 * second instead of ~285 (each PING is 4 frames with the ACKs and the PONG). A PTY or USB keypad that goes away is
 * still noticed at once (the tty stream transport sees the hang-up); a wedged one within deadAfterMs, which stays
 * well under the keypad's own 12 s limit for a silent host (PROTOCOL.md §6.4).
 */
export const MANY_KEYPADS_LINK = { pingJitter: 0.2, pingIntervalMs: 3000, deadAfterMs: 9000 } as const satisfies LinkTimingOptions;
/** The production link timings (PING every second, dead after 3 s), with the same jitter: the bench's comparison. */
export const PRODUCTION_LINK = { pingJitter: 0.2 } as const satisfies LinkTimingOptions;

/** Cards the keypads type, keypad i the (i mod 5)th: each is its own brand, so a crossed wire would show. */
export const SCALE_CARDS = ['visa', 'mastercard', 'jcb', 'american-express', 'diners-club'] as const satisfies readonly Brand[];
export type ScaleCard = (typeof SCALE_CARDS)[number];

/** Last digits a result reveals (readCard's default). */
const REVEAL = 3;
/** Drivers opened at once: opening all 256 together would queue their HELLOs behind each other's port opens. */
const OPEN_BATCH = 32;
/** Generous: 256 handshakes on a 2-core machine are slow, and this is a benchmark, not a liveness check. */
const CONNECT_TIMEOUT_MS = 30_000;
/** Sampling step of the event-loop delay histogram (ms): fine enough to see a 5 ms stall, cheap enough not to cause one. */
const LOOP_DELAY_RESOLUTION_MS = 2;
/** How long a keypad whose entry failed (link declared dead under overload) may take to reconnect before it gives up the round. */
const RECOVERY_MS = 15_000;

type EventLoopUtilization = ReturnType<typeof performance.eventLoopUtilization>;

export interface ScaleOptions {
  keypads: number;
  entriesPerKeypad: number;
  /** Measured rounds (each: every keypad runs entriesPerKeypad entries). */
  rounds: number;
  /** Unmeasured rounds first (JIT warm-up, first-use allocations). Default 1. */
  warmupRounds?: number;
  /**
   * Paced instead of back to back: entries start at this many per second across all keypads, keypad i's on its own
   * phase (a late entry's successor starts at once). Shows latency below saturation; absent = back to back.
   */
  paceEntriesPerSecond?: number;
  /** The keypads merge DIGIT reports that outrun the line (PROTOCOL.md §5.11). Default true, as the simulator does. */
  mergeKeyReports?: boolean;
  /**
   * How the drivers move bytes on their PTYs: 'tty-stream' (what openTenkey uses on Linux and macOS: a libuv TTY
   * stream) or 'serialport' (serialport's thread-pool reads and writes, as on Windows). Default: openTenkey's choice.
   */
  transport?: 'tty-stream' | 'serialport';
  /**
   * Where the keypads run: 'worker' (a worker thread of this process, so drivers and keypads use both cores, as
   * drivers and real keypads would never share one) or 'main' (this thread, beside the drivers). Default 'main'.
   */
  keypadThread?: 'main' | 'worker';
  /** Link options of every driver. Default MANY_KEYPADS_LINK. */
  link?: LinkTimingOptions;
  /** Called as the measured rounds start and once they end (a profiler's start and stop; see profile-scale.ts). */
  measuring?: { start(): void | Promise<void>; stop(): void | Promise<void> };
}

export interface ScaleEntry {
  keypad: number;
  round: number;
  /** The TEST card the keypad typed (a name, never its number). */
  card: ScaleCard;
  brand: Brand;
  /** What the result revealed. */
  last: string;
  /** Driver-side START_ENTRY→RESULT (ms). */
  latencyMs: number;
}

/**
 * A measured entry that ended in a TenkeyError instead of a result: on an overloaded machine a driver can hear
 * nothing for LINK_DEAD_AFTER_MS and drop the link. Counted and reported, not fatal: the driver reconnects and goes on.
 */
export interface ScaleFailure {
  keypad: number;
  round: number;
  /** TenkeyError cause (LINK_DEAD, NO_ACK, NOT_CONNECTED, …), or GAVE_UP when the keypad never came back. */
  cause: string;
}

export interface ScaleReport {
  keypads: number;
  /** Every measured entry, in completion order. */
  entries: ScaleEntry[];
  /** Measured entries that failed (empty on a machine that keeps up). */
  failures: ScaleFailure[];
  /** Wall time of each measured round (s). */
  roundSeconds: number[];
  /** Frames on the wires (both directions, ACKs and keepalives included) per finished entry, over the measured rounds. */
  framesPerEntry: number;
  /**
   * CPU time of the whole process per finished entry over the measured rounds (ms; user and system, every thread:
   * the main thread, libuv's thread pool, GC helpers). Steadier than entries/s on a shared machine.
   */
  cpuMsPerEntry: {
    user: number;
    system: number;
    /** The drivers' thread (and the keypads', unless they run on a worker). */
    mainThread: number | undefined;
    /** The keypads' worker thread, when they run on one. */
    keypadThread?: number | undefined;
    /** Every other thread: libuv's thread pool (serialport's reads and writes), V8's GC and compiler helpers. */
    otherThreads: number | undefined;
  };
  /** The event loop during the measured rounds: how late timers ran (ms) and the share of time it was busy. */
  loop: { delayP50Ms: number; delayP99Ms: number; delayMaxMs: number; utilization: number };
  /** Bytes per keypad: the whole stack (simulator + driver) after the runs, and the driver alone once connected. */
  memoryPerKeypad: {
    total: { heapAndExternal: number; rss: number };
    driver: { heapAndExternal: number; rss: number };
    collected: boolean;
  };
}

/** What the result must reveal for `card`. */
export function expectedLast(card: ScaleCard): string {
  return TEST_CARDS[card].slice(-REVEAL);
}

function keyScript(card: ScaleCard): string {
  const today = new Date().toISOString().slice(0, 10);
  return `${TEST_CARDS[card]}<enter>${expiryFor('valid', today)}<enter>`;
}

interface ScaleKeypad {
  index: number;
  card: ScaleCard;
  driver: TenkeyKeypad;
  timing: EntryTimingLogger;
}

/** Starts everything, runs the rounds, closes everything (also on failure) and reports. */
export async function runScale(options: ScaleOptions): Promise<ScaleReport> {
  const { keypads: count, entriesPerKeypad, rounds } = options;
  const warmupRounds = options.warmupRounds ?? 1;
  for (const [name, value] of Object.entries({ keypads: count, entriesPerKeypad, rounds, warmupRounds })) {
    if (!Number.isInteger(value) || value < (name === 'warmupRounds' ? 0 : 1)) throw new RangeError(`${name} must be a positive integer`);
  }
  const pace = options.paceEntriesPerSecond;
  if (pace !== undefined && !(pace > 0 && Number.isFinite(pace))) throw new RangeError('paceEntriesPerSecond must be a positive number');
  assertRoomFor(count);
  // Each keypad starts an entry every `intervalMs`; keypad i at i/count of the interval, so starts are evenly spread.
  const intervalMs = pace === undefined ? 0 : (count / pace) * 1000;

  let fleet: KeypadFleet | undefined;
  const keypads: ScaleKeypad[] = [];
  try {
    const base = memorySnapshot();
    const startFleet = options.keypadThread === 'worker' ? startWorkerFleet : startLocalFleet;
    fleet = await startFleet({
      keyScripts: Array.from({ length: count }, (_, index) => keyScript(SCALE_CARDS[index % SCALE_CARDS.length]!)),
      mergeKeyReports: options.mergeKeyReports ?? true,
      opening: (index, open) => opening(index, count, open),
    });
    const simsOnly = memorySnapshot();
    for (let first = 0; first < count; first += OPEN_BATCH) {
      const batch = fleet.addresses.slice(first, first + OPEN_BATCH).map(async (address, offset) => {
        const index = first + offset;
        const timing = new EntryTimingLogger();
        // Production link timings and reconnect: the run measures the driver as a store would run it.
        const driverOptions: OpenTenkeyOptions = {
          device: address, logger: timing, connectTimeoutMs: CONNECT_TIMEOUT_MS,
          link: options.link ?? MANY_KEYPADS_LINK,
        };
        const driver = await opening(index, count, () => openDriver(driverOptions, options.transport));
        keypads.push({ index, card: SCALE_CARDS[index % SCALE_CARDS.length]!, driver, timing });
      });
      // allSettled: every driver that did open is in `keypads` for the finally below, even when one failed.
      const failed = (await Promise.allSettled(batch)).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    const connected = memorySnapshot();

    const entries: ScaleEntry[] = [];
    const failures: ScaleFailure[] = [];
    const roundSeconds: number[] = [];
    const delay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    let busy: EventLoopUtilization | undefined;
    let framesBefore = 0;
    let cpuBefore: NodeJS.CpuUsage | undefined;
    let threadsBefore: ThreadCpu | undefined;
    let workerCpuBefore: number | undefined;
    for (let round = -warmupRounds; round < rounds; round++) {
      if (round === 0) {
        delay.enable();
        busy = performance.eventLoopUtilization();
        framesBefore = await fleet.wireFrames();
        workerCpuBefore = await fleet.workerCpuMs();
        cpuBefore = process.cpuUsage();
        threadsBefore = threadCpuMs();
        await options.measuring?.start();
      }
      const start = performance.now();
      const done = await Promise.all(keypads.map((keypad) => runEntries(keypad, entriesPerKeypad, round, {
        firstAt: start + (keypad.index * intervalMs) / count, intervalMs,
      })));
      if (round >= 0) {
        roundSeconds.push((performance.now() - start) / 1000);
        for (const outcome of done) {
          entries.push(...outcome.entries);
          failures.push(...outcome.failures);
        }
      }
    }
    await options.measuring?.stop();
    delay.disable();
    const finished = Math.max(1, entries.length);
    const cpu = process.cpuUsage(cpuBefore);
    const threadsAfter = threadCpuMs();
    const workerCpuAfter = await fleet.workerCpuMs();
    const keypadThread = workerCpuBefore !== undefined && workerCpuAfter !== undefined ? (workerCpuAfter - workerCpuBefore) / finished : undefined;
    const threads = threadsBefore !== undefined && threadsAfter !== undefined
      ? { main: (threadsAfter.main - threadsBefore.main) / finished, others: (threadsAfter.others - threadsBefore.others) / finished }
      : undefined;
    const framesPerEntry = ((await fleet.wireFrames()) - framesBefore) / finished;
    const utilization = performance.eventLoopUtilization(busy).utilization;
    const after = withWorker(memorySnapshot(), fleet.workerMemoryBefore, await fleet.workerMemory());
    const ms = (ns: number) => ns / 1e6;
    return {
      keypads: count,
      entries,
      failures,
      roundSeconds,
      framesPerEntry,
      cpuMsPerEntry: {
        user: cpu.user / 1000 / finished, system: cpu.system / 1000 / finished, mainThread: threads?.main,
        otherThreads: threads === undefined ? undefined : threads.others - (keypadThread ?? 0), keypadThread,
      },
      loop: { delayP50Ms: ms(delay.percentile(50)), delayP99Ms: ms(delay.percentile(99)), delayMaxMs: ms(delay.max), utilization },
      memoryPerKeypad: {
        total: perItem(base, after, count),
        driver: perItem(simsOnly, connected, count),
        collected: after.collected,
      },
    };
  } finally {
    await Promise.allSettled(keypads.map((k) => k.driver.close()));
    await fleet?.close();
  }
}

/** The main thread's memory plus what the keypads' worker heap grew by from `workerBase` (nothing when they run here). */
function withWorker(main: MemorySnapshot, workerBase: MemorySnapshot | undefined, worker: MemorySnapshot | undefined): MemorySnapshot {
  if (workerBase === undefined || worker === undefined) return main;
  return { ...main, heapAndExternal: main.heapAndExternal + worker.heapAndExternal - workerBase.heapAndExternal };
}

/** openTenkey, or the same over a chosen serial transport (the bench compares them in one run). */
function openDriver(options: OpenTenkeyOptions, transport: ScaleOptions['transport']): Promise<TenkeyKeypad> {
  if (transport === undefined) return openTenkey(options);
  const path = options.device!;
  const open = transport === 'serialport' ? openSerialTransport : openTtyStreamTransport;
  return openTenkeyOverTransport({
    ...checkedOpenSettings(options), address: path, openTransport: () => open(path, { connectTimeoutMs: CONNECT_TIMEOUT_MS }),
  });
}

/** `open()`, with a failure turned into a message that says which keypad and hints at the usual limits. */
async function opening<T>(index: number, count: number, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ScaleLimitError(`opening keypad ${index + 1} of ${count} failed: ${why} (fd limit: ulimit -n; PTYs: /proc/sys/kernel/pty/max)`, { cause: error });
  }
}

/** When entries start (performance.now() ms): `firstAt`, then every `intervalMs`; intervalMs 0 = back to back. */
interface EntrySchedule {
  firstAt: number;
  intervalMs: number;
}

function untilSlot(at: number): Promise<void> | undefined {
  const wait = at - performance.now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : undefined;
}

/** Resolves true once the driver is connected (at once if it is), false after `timeoutMs` without or once it is closed. */
function connectedAgain(driver: TenkeyKeypad, timeoutMs: number): Promise<boolean> {
  if (driver.status === 'connected') return Promise.resolve(true);
  if (driver.status === 'closed') return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (connected: boolean) => {
      clearTimeout(timer);
      driver.off('connection', onConnection);
      resolve(connected);
    };
    const onConnection = (event: { status: string }) => {
      if (event.status === 'connected') done(true);
      else if (driver.status === 'closed') done(false);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    driver.on('connection', onConnection);
  });
}

async function runEntries(
  keypad: ScaleKeypad, count: number, round: number, schedule: EntrySchedule,
): Promise<{ entries: ScaleEntry[]; failures: ScaleFailure[] }> {
  const entries: ScaleEntry[] = [];
  const failures: ScaleFailure[] = [];
  for (let n = 0; n < count; n++) {
    if (schedule.intervalMs > 0) await untilSlot(schedule.firstAt + n * schedule.intervalMs);
    let result;
    try {
      result = await keypad.driver.readCard({ reveal: REVEAL });
    } catch (error) {
      if (!(error instanceof TenkeyError)) throw error;
      failures.push({ keypad: keypad.index, round, cause: error.reason });
      if (await connectedAgain(keypad.driver, RECOVERY_MS)) continue;
      for (let left = n + 1; left < count; left++) failures.push({ keypad: keypad.index, round, cause: 'GAVE_UP' });
      break;
    }
    const entry: ScaleEntry = {
      keypad: keypad.index, round, card: keypad.card, brand: result.brand, last: result.last,
      latencyMs: keypad.timing.take(result.sessionId),
    };
    // A benchmark of wrong answers measures nothing: stop at the first one (names only, never a number).
    if (entry.brand !== keypad.card || entry.last !== expectedLast(keypad.card)) {
      throw new Error(`keypad ${keypad.index + 1} typed the ${keypad.card} TEST card but the driver read brand ${entry.brand}, last digits ${entry.last}`);
    }
    entries.push(entry);
  }
  return { entries, failures };
}
