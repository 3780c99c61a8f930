/** What every benchmark case reports: one line of the table, one object of `--json`. */
export interface BenchRecord {
  name: string;
  value: number;
  unit: string;
  /** Name of the record this one is compared with, or null for a baseline. */
  baseline: string | null;
  /** Speed relative to the baseline (baseline time ÷ this time, median over rounds; > 1 = faster), or null. */
  ratio: number | null;
}

/** Shared inputs of one run, built once and handed to every case. */
export interface BenchContext {
  /** Repetitions per measurement; cases report the median. */
  repetitions: number;
  /** Progress text goes here (stderr), so `--json` stdout stays pure. */
  log(line: string): void;
}

export interface BenchCase {
  name: string;
  run(context: BenchContext): Promise<BenchRecord[]>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Seconds per repetition of each contender. */
export type Timings<K extends string> = Record<K, number[]>;

/**
 * Times every contender once per round, round after round (after one warm-up round), so a burst of load
 * on a shared machine hits all of them alike; compare them with medians of per-round ratios.
 */
export async function timeInRounds<K extends string>(
  rounds: number, contenders: Record<K, () => Promise<void> | void>,
): Promise<Timings<K>> {
  const names = Object.keys(contenders) as K[];
  const timings = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Timings<K>;
  for (let round = -1; round < rounds; round++) {
    for (const name of names) {
      const start = process.hrtime.bigint();
      await contenders[name]();
      if (round >= 0) timings[name].push(Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  return timings;
}

/** Median over rounds of (baseline time ÷ contender time): above 1 = contender faster. */
export function medianSpeedRatio(contender: number[], baseline: number[]): number {
  return median(contender.map((seconds, i) => baseline[i]! / seconds));
}
