/**
 * Fuzz (issue #7): the frame decoder (stream and function forms) and the virtual keypad's frame handler take
 * random bytes and mutated valid frames (bit flips, inserted and deleted bytes, truncation, two frames spliced,
 * header and length lies with a good CRC, oversized runs without a delimiter, doubled delimiters) without
 * throwing, without an untyped error, and without holding more than the largest encoded frame. fast-check
 * (seeded: FC seed printed on failure) generates and shrinks them; `npm run bench` runs a million.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_ENCODED_SIZE } from '../../protocol/index.js';
import { fuzzCorpus } from './fuzz-corpus.js';
import { applyMutation, MAX_OVERSIZED_RUN, MUTATION_KINDS, type Mutation } from './mutations.js';
import { FunctionDecoderTarget, KeypadWireTarget, StreamDecoderTarget, type FuzzStats } from './fuzz-targets.js';

const corpus = fuzzCorpus();
const SEED = 20261127;

const position = fc.nat({ max: 4096 });
const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'none' }),
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, byte: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('splice' as const), other: fc.nat({ max: corpus.length - 1 }), at: position, otherAt: position }),
  fc.record({ kind: fc.constant('body' as const), at: position, byte: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('length' as const), value: fc.nat({ max: 0xffff }) }),
  fc.record({
    kind: fc.constant('oversized' as const), length: fc.integer({ min: MAX_ENCODED_SIZE - 8, max: MAX_OVERSIZED_RUN }), byte: fc.nat({ max: 255 }),
  }),
  fc.record({ kind: fc.constant('delimiters' as const), at: position, count: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
);

/** One input: a few corpus frames, each mutated, back to back, written in chunks cut at `cuts`. */
const arbInput = fc.record({
  pieces: fc.array(fc.record({ frame: fc.nat({ max: corpus.length - 1 }), mutation: arbMutation }), { minLength: 1, maxLength: 6 }),
  cuts: fc.array(fc.nat({ max: 8192 }), { maxLength: 4 }),
});
type Input = { pieces: { frame: number; mutation: Mutation }[]; cuts: number[] };

const bytesOf = (input: Input): Buffer =>
  Buffer.concat(input.pieces.map(({ frame, mutation }) => applyMutation(corpus[frame]!, mutation, corpus)));

/**
 * Fails the property for this input only: the problems it added to a target that outlives the run (its stats add
 * up over all inputs). A running total would fail every later input too, and fast-check would shrink to nonsense.
 * (The stream decoder and the keypad keep state between inputs, as on a real line: a shrunk counterexample is
 * the input where the problem showed, which may need the ones before it to replay.)
 */
function noNewProblems(stats: FuzzStats, before: number): void {
  const added = stats.problemCount - before;
  if (added > 0) throw new Error(`${added} problem(s) from this input, the last: ${stats.lastProblem}`);
}

/** Every mutation kind that reached a target (so a generator regression cannot quietly narrow the fuzz). */
const kindsSeen = new Set<string>();
const track = (input: Input): Input => {
  for (const { mutation } of input.pieces) kindsSeen.add(mutation.kind);
  return input;
};

describe('fuzz: frame decoder and keypad frame handler', () => {
  afterAll(() => {
    expect([...kindsSeen].sort()).toEqual([...MUTATION_KINDS].sort());
  });

  it('the stream FrameDecoder never throws, types every drop and holds at most one encoded frame', () => {
    const target = new StreamDecoderTarget();
    fc.assert(fc.property(arbInput, (input) => {
      const before = target.stats.problemCount;
      target.feed(bytesOf(track(input)), input.cuts);
      noNewProblems(target.stats, before);
    }), { seed: SEED, numRuns: 8000 });
    expect(target.stats.problems).toEqual([]);
    expect(target.stats.maxBuffered).toBeLessThanOrEqual(MAX_ENCODED_SIZE);
    // The fuzz reached both sides: frames through, and every kind of garbage refused.
    expect(target.stats.frames).toBeGreaterThan(1000);
    expect(Object.keys(target.decoder.stats.dropped).sort()).toEqual(
      expect.arrayContaining(['BAD_COBS', 'BAD_CRC', 'BAD_LENGTH', 'TOO_LONG', 'TOO_SHORT', 'UNKNOWN_TYPE']),
    );
  });

  it('decodeFrame never throws and answers every input with a frame or a typed error', () => {
    const target = new FunctionDecoderTarget();
    fc.assert(fc.property(arbInput, (input) => {
      const before = target.stats.problemCount;
      target.feed(bytesOf(track(input)));
      noNewProblems(target.stats, before);
    }), { seed: SEED + 1, numRuns: 8000 });
    expect(target.stats.problems).toEqual([]);
    expect(target.stats.frames).toBeGreaterThan(1000);
    expect(target.stats.drops).toBeGreaterThan(1000);
  });

  it("the keypad's wire side never throws, never answers with a frame nobody typed, and stays bounded", async () => {
    const target = new KeypadWireTarget();
    try {
      await fc.assert(fc.asyncProperty(arbInput, async (input) => {
        const before = target.stats.problemCount;
        target.feed(bytesOf(track(input)));
        // The keypad's answers reach the checking decoder on later ticks: count after they have.
        await new Promise((resolve) => setImmediate(resolve));
        noNewProblems(target.stats, before);
      }), { seed: SEED + 2, numRuns: 3000 });
    } finally {
      target.close();
    }
    expect(target.stats.problems).toEqual([]);
    expect(target.stats.maxBuffered).toBeLessThanOrEqual(MAX_ENCODED_SIZE);
    // It answered: ACKs for the valid frames among the garbage, NAKs for the header lies, and real answers.
    expect(target.answers.ACK).toBeGreaterThan(100);
    expect(target.answers.NAK).toBeGreaterThan(10);
    expect((target.answers.INFO ?? 0) + (target.answers.STATUS ?? 0) + (target.answers.PONG ?? 0)).toBeGreaterThan(10);
  });
});
