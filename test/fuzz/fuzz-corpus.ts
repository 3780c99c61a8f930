/**
 * The valid frames the fuzzers mutate: every message type, both directions, drawn from the protocol tests'
 * fast-check arbitraries with a fixed seed (the same corpus in every run).
 */
import fc from 'fast-check';
import { encodeFrame } from '../../protocol/index.js';
import { arbFrameSpec } from '../protocol/arbitraries.js';
import { corpusFrame, type CorpusFrame } from './mutations.js';

export const FUZZ_CORPUS_SEED = 0x7e4b3;

export function fuzzCorpus(size = 512, seed = FUZZ_CORPUS_SEED): CorpusFrame[] {
  return fc.sample(arbFrameSpec, { seed, numRuns: size }).map(({ message, seq, options }) => corpusFrame(encodeFrame(message, seq, options)));
}
