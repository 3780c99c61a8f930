/**
 * The fuzz at full size: a million seeded inputs (mutated valid frames and random bytes, test/fuzz/mutations.ts)
 * into each of the stream FrameDecoder, decodeFrame and the virtual keypad's wire side. Reports inputs per second
 * against drawing the same inputs without decoding them (the generator's own cost, measured in the same run), and
 * the largest buffer any decoder held. Throws on any problem (a throw, an untyped error, an over-size buffer),
 * naming the seed: TENKEY_FUZZ_SEED replays the run. A hang fails it loudly too: a batch of inputs over its wall
 * deadline throws, and a watchdog thread kills the process when a batch never ends (a loop inside one feed()).
 */
import { Worker } from 'node:worker_threads';
import { mulberry32 } from '../../device-sim/faults/prng.js';
import { MAX_ENCODED_SIZE } from '../../protocol/index.js';
import { fuzzCorpus } from '../../test/fuzz/fuzz-corpus.js';
import { FunctionDecoderTarget, KeypadWireTarget, StreamDecoderTarget, type FuzzStats } from '../../test/fuzz/fuzz-targets.js';
import { applyMutation, randomMutation, type CorpusFrame } from '../../test/fuzz/mutations.js';
import type { BenchCase, BenchRecord } from '../record.js';

const INPUTS = 1_000_000;
const DEFAULT_SEED = 20261127;
/** Let stream events run every so many inputs (the keypad's Duplex delivers on later ticks while not flowing). */
const SETTLE_EVERY = 1000;
/** Wall time one batch of SETTLE_EVERY inputs may take: tens of ms normally, so far over it is a hang or a blow-up. */
const BATCH_DEADLINE_MS = 30_000;
/** With no batch ended for this long, the watchdog kills the process (the main thread is stuck and cannot throw). */
const WATCHDOG_MS = 2 * BATCH_DEADLINE_MS;

/** Where the run is, shared with the watchdog thread: [batches ended, inputs fed of the current target, target index]. */
type Heartbeat = Int32Array;

/**
 * A thread that watches the heartbeat and, if it stops, prints where and kills the process. Hand-written: a
 * timer on the main thread cannot fire while a synchronous loop holds it, and no kept library does just this.
 */
function startWatchdog(heartbeat: Heartbeat, seed: number, targets: readonly string[]): Worker {
  const watchdog = new Worker(`
    const { workerData } = require('node:worker_threads');
    const { writeSync } = require('node:fs');
    const beat = new Int32Array(workerData.buffer);
    let last = Atomics.load(beat, 0), since = Date.now();
    setInterval(() => {
      const now = Atomics.load(beat, 0);
      if (now !== last) { last = now; since = Date.now(); return; }
      if (Date.now() - since < workerData.limitMs) return;
      writeSync(2, 'fuzz: HANG: no batch of inputs ended in ' + workerData.limitMs / 1000 + ' s (target '
        + workerData.targets[Atomics.load(beat, 2)] + ', after input ' + Atomics.load(beat, 1) + ', seed ' + workerData.seed
        + '; TENKEY_FUZZ_SEED=' + workerData.seed + ' replays it). Killing the bench.\\n');
      process.kill(process.pid, 'SIGKILL');
    }, 500);
  `, { eval: true, execArgv: [], workerData: { buffer: heartbeat.buffer, limitMs: WATCHDOG_MS, seed, targets } });
  watchdog.unref(); // never what keeps the bench alive
  return watchdog;
}

function fuzzSeed(): number {
  const text = process.env.TENKEY_FUZZ_SEED;
  const seed = text === undefined || text === '' ? DEFAULT_SEED : Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new TypeError(`TENKEY_FUZZ_SEED must be an integer 0–4294967295, got "${text}"`);
  return seed;
}

/**
 * Draws INPUTS inputs from `seed` and hands each to `feed`; resolves with the seconds it took. Rejects when a
 * batch of SETTLE_EVERY inputs overran BATCH_DEADLINE_MS of wall time.
 */
async function drive(
  seed: number, corpus: readonly CorpusFrame[], feed: (input: Buffer, cuts: number[]) => void, guard: { heartbeat: Heartbeat; target: number; name: string },
): Promise<number> {
  const { heartbeat } = guard;
  Atomics.store(heartbeat, 2, guard.target);
  const random = mulberry32(seed);
  const start = process.hrtime.bigint();
  let batchStart = performance.now();
  for (let i = 0; i < INPUTS; i++) {
    const frame = corpus[Math.floor(random() * corpus.length)]!;
    const input = applyMutation(frame, randomMutation(random, corpus.length), corpus);
    const cuts = random() < 0.25 ? [Math.floor(random() * 4096)] : [];
    feed(input, cuts);
    if (i % SETTLE_EVERY === SETTLE_EVERY - 1) {
      await new Promise((resolve) => setImmediate(resolve));
      const took = performance.now() - batchStart;
      if (took > BATCH_DEADLINE_MS) {
        throw new Error(`fuzz: HANG: ${guard.name}: inputs ${i + 1 - SETTLE_EVERY}–${i} took ${(took / 1000).toFixed(1)} s `
          + `(deadline ${BATCH_DEADLINE_MS / 1000} s per ${SETTLE_EVERY}; seed ${seed}, TENKEY_FUZZ_SEED replays it)`);
      }
      Atomics.store(heartbeat, 1, i + 1);
      Atomics.add(heartbeat, 0, 1);
      batchStart = performance.now();
    }
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export const fuzzCase: BenchCase = {
  name: 'fuzz',
  async run({ log }) {
    const seed = fuzzSeed();
    const corpus = fuzzCorpus();
    log(`fuzz: ${INPUTS.toLocaleString('en-US')} inputs per target from seed ${seed} (TENKEY_FUZZ_SEED replays), corpus of ${corpus.length} valid frames`);
    const unhandled: string[] = [];
    const onUnhandled = (e: unknown): void => { unhandled.push(String(e)); };
    process.on('uncaughtException', onUnhandled);
    process.on('unhandledRejection', onUnhandled);
    const stream = new StreamDecoderTarget();
    const fn = new FunctionDecoderTarget();
    const keypad = new KeypadWireTarget();
    const seconds: Record<string, number> = {};
    const names = ['generator only', 'FrameDecoder (stream)', 'decodeFrame', 'keypad wire side'];
    const heartbeat: Heartbeat = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    const watchdog = startWatchdog(heartbeat, seed, names);
    watchdog.on('error', (e) => unhandled.push(`watchdog thread failed: ${String(e)}`));
    const guard = (target: number) => ({ heartbeat, target, name: names[target]! });
    try {
      seconds.generate = await drive(seed, corpus, () => {}, guard(0));
      seconds.stream = await drive(seed, corpus, (input, cuts) => stream.feed(input, cuts), guard(1));
      seconds.function = await drive(seed, corpus, (input) => fn.feed(input), guard(2));
      seconds.keypad = await drive(seed, corpus, (input) => keypad.feed(input), guard(3));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await watchdog.terminate();
      keypad.close();
      process.off('uncaughtException', onUnhandled);
      process.off('unhandledRejection', onUnhandled);
    }
    const targets: [string, string, FuzzStats][] = [
      ['stream', 'FrameDecoder (stream)', stream.stats], ['function', 'decodeFrame', fn.stats], ['keypad', 'keypad wire side', keypad.stats],
    ];
    const problems = [...targets.flatMap(([, name, stats]) => stats.problems.map((p) => `${name}: ${p}`)), ...unhandled];
    for (const [, name, stats] of targets) {
      log(`fuzz ${name}: ${stats.inputs} inputs, ${stats.bytes} bytes, ${stats.frames} frames accepted, ${stats.drops} refused, `
        + `max held ${stats.maxBuffered} bytes (limit ${MAX_ENCODED_SIZE})`);
    }
    log(`fuzz keypad answers: ${JSON.stringify(keypad.answers)}`);
    if (problems.length > 0) throw new Error(`fuzz found problems (seed ${seed}):\n${problems.join('\n')}`);

    const rate = (s: number) => INPUTS / s;
    const records: BenchRecord[] = [
      { name: 'fuzz inputs generated only', value: rate(seconds.generate!), unit: 'inputs/s', baseline: null, ratio: null },
    ];
    for (const [key, name, stats] of targets) {
      records.push(
        {
          name: `fuzz ${name}`, value: rate(seconds[key]!), unit: 'inputs/s',
          baseline: 'fuzz inputs generated only', ratio: seconds.generate! / seconds[key]!,
        },
      );
      // The function form holds nothing between calls; the stream decoder and the keypad do.
      if (key !== 'function') {
        records.push({ name: `fuzz ${name} max held`, value: stats.maxBuffered, unit: `bytes (limit ${MAX_ENCODED_SIZE})`, baseline: null, ratio: null });
      }
    }
    return records;
  },
};
