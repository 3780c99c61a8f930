/** Every benchmark case bench/run.ts runs, in order. Add a case: write bench/cases/<name>.ts and list it here. */
import type { BenchCase } from '../record.js';
import { frameDecodeCase } from './frame-decode.js';
import { replayCase } from './replay.js';

export const benchCases: BenchCase[] = [frameDecodeCase, replayCase];
