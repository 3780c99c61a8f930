/**
 * The fuzz at full size: a million seeded inputs (mutated valid frames and random bytes, test/fuzz/mutations.ts)
 * into each of the stream FrameDecoder, decodeFrame and the virtual keypad's wire side. Reports inputs per second
 * against drawing the same inputs without decoding them (the generator's own cost, measured in the same run), and
 * the largest buffer any decoder held. Throws on any problem (a throw, an untyped error, an over-size buffer),
 * naming the seed: TENKEY_FUZZ_SEED replays the run.
 */
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

function fuzzSeed(): number {
  const text = process.env.TENKEY_FUZZ_SEED;
  const seed = text === undefined || text === '' ? DEFAULT_SEED : Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new TypeError(`TENKEY_FUZZ_SEED must be an integer 0–4294967295, got "${text}"`);
  return seed;
}

/** Draws INPUTS inputs from `seed` and hands each to `feed`; resolves with the seconds it took. */
async function drive(seed: number, corpus: readonly CorpusFrame[], feed: (input: Buffer, cuts: number[]) => void): Promise<number> {
  const random = mulberry32(seed);
  const start = process.hrtime.bigint();
  for (let i = 0; i < INPUTS; i++) {
    const frame = corpus[Math.floor(random() * corpus.length)]!;
    const input = applyMutation(frame, randomMutation(random, corpus.length), corpus);
    const cuts = random() < 0.25 ? [Math.floor(random() * 4096)] : [];
    feed(input, cuts);
    if (i % SETTLE_EVERY === SETTLE_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
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
    try {
      seconds.generate = await drive(seed, corpus, () => {});
      seconds.stream = await drive(seed, corpus, (input, cuts) => stream.feed(input, cuts));
      seconds.function = await drive(seed, corpus, (input) => fn.feed(input));
      seconds.keypad = await drive(seed, corpus, (input) => keypad.feed(input));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
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
