/**
 * CLI start-up (issue 16 item 3): whole processes, as a person or a script runs them. `node -e 0` (the floor: Node
 * itself), `tenkey --help` and `tenkey decode` of one small fixture, round after round in the same run, each the built
 * bin/tenkey.cjs over dist/ (what the package installs; `npm run build` first). Goal: each tenkey process within 1.5×
 * the floor's wall time (median of per-round ratios). The CPU time of each (user + system, read from the kernel's
 * count for waited-for children) is shown beside it: on a loaded machine it moves less than wall time.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { median, medianSpeedRatio, type BenchCase, type BenchRecord } from '../record.js';

const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'bin/tenkey.cjs');
/** The smallest fixture: a HELLO, INFO and a START_ENTRY refused BUSY, 8 frames. */
const FIXTURE = resolve(root, 'fixtures/captures/busy.jsonl');
/** Runs of each process per repetition: one process start is milliseconds, so one repetition is several. */
const RUNS_PER_REPETITION = 4;
const GOAL_FACTOR = 1.5;

const PROCESSES = {
  floor: { name: 'node -e 0', args: ['-e', '0'] },
  help: { name: 'tenkey --help', args: [bin, '--help'] },
  decode: { name: 'tenkey decode (busy.jsonl)', args: [bin, 'decode', FIXTURE] },
} as const;
type Contender = keyof typeof PROCESSES;

/** CPU seconds used by this process's waited-for children so far (Linux /proc; undefined elsewhere). */
function childrenCpuSeconds(): number | undefined {
  try {
    // Fields after the command name: cutime and cstime are the 14th and 15th of them (proc(5)), in clock ticks.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticksPerSecond = 100; // USER_HZ, 100 on every Linux ABI Node supports
    return (Number(afterName[13]) + Number(afterName[14])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export const cliStartupCase: BenchCase = {
  name: 'cli-startup',
  async run({ repetitions, log }) {
    if (!existsSync(resolve(root, 'dist/cli/main.js'))) throw new Error('cli-startup measures the built CLI: run `npm run build` first');
    const rounds = repetitions * RUNS_PER_REPETITION;
    log(`cli-startup: ${Object.values(PROCESSES).map((p) => p.name).join(', ')}; ${rounds} rounds (+1 warm-up), interleaved`);
    const run = promisify(execFile);
    const wall: Record<Contender, number[]> = { floor: [], help: [], decode: [] };
    const cpu: Record<Contender, number> = { floor: 0, help: 0, decode: 0 };
    for (let round = -1; round < rounds; round++) {
      for (const contender of Object.keys(PROCESSES) as Contender[]) {
        const cpuBefore = childrenCpuSeconds();
        const start = process.hrtime.bigint();
        const { stdout } = await run(process.execPath, PROCESSES[contender].args, { cwd: root, maxBuffer: 16 * 1024 * 1024 });
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        const cpuAfter = childrenCpuSeconds();
        if (contender !== 'floor' && stdout.length === 0) throw new Error(`${PROCESSES[contender].name} printed nothing`);
        if (round < 0) continue;
        wall[contender].push(seconds);
        if (cpuBefore !== undefined && cpuAfter !== undefined) cpu[contender] += cpuAfter - cpuBefore;
      }
    }

    const ms = (seconds: number) => seconds * 1000;
    const records: BenchRecord[] = [];
    const floorName = `${PROCESSES.floor.name}: wall time per process`;
    records.push({ name: floorName, value: ms(median(wall.floor)), unit: 'ms', baseline: null, ratio: null });
    for (const contender of ['help', 'decode'] as const) {
      const ratio = medianSpeedRatio(wall[contender], wall.floor);
      records.push({ name: `${PROCESSES[contender].name}: wall time per process`, value: ms(median(wall[contender])), unit: 'ms', baseline: floorName, ratio });
      log(`cli-startup target: ${PROCESSES[contender].name} within ${GOAL_FACTOR}× node -e 0: ${1 / ratio <= GOAL_FACTOR ? 'met' : 'NOT met'} (${(1 / ratio).toFixed(2)}×)`);
    }
    if (cpu.floor > 0) {
      const cpuFloorName = `${PROCESSES.floor.name}: CPU time per process`;
      records.push({ name: cpuFloorName, value: ms(cpu.floor / rounds), unit: 'ms', baseline: null, ratio: null });
      for (const contender of ['help', 'decode'] as const) {
        records.push({
          name: `${PROCESSES[contender].name}: CPU time per process`, value: ms(cpu[contender] / rounds), unit: 'ms', baseline: cpuFloorName,
          ratio: cpu.floor / cpu[contender],
        });
      }
    }
    return records;
  },
};
