/** Every benchmark case bench/run.ts runs, in order. Add a case: write bench/cases/<name>.ts and list it here. */
import type { BenchCase } from '../record.js';
import { frameDecodeCase } from './frame-decode.js';
import { replayCase } from './replay.js';
import { scaleCase } from './scale.js';
import { ptyRoundTripCase } from './pty-round-trip.js';
import { faultSoakCase } from './fault-soak.js';
import { fuzzCase } from './fuzz.js';
import { floodCase } from './flood.js';
import { testKeypadCase } from './test-keypad.js';
import { browserLatencyCase } from './browser-latency.js';
import { cliStartupCase } from './cli-startup.js';
import { entryStatechartCase } from './entry-statechart.js';

export const benchCases: BenchCase[] = [
  frameDecodeCase, replayCase, scaleCase, ptyRoundTripCase, faultSoakCase, fuzzCase, floodCase, testKeypadCase, entryStatechartCase,
  browserLatencyCase, cliStartupCase,
];
