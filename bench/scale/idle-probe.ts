/**
 * The machine's own noise, measured beside a run: a separate, idle node process whose only work is a timer, and
 * the event-loop delay it sees. On a quiet machine it stays near 0; when other processes keep the cores busy it
 * sees the same scheduling stalls our run does, and a p99 measured then says more about the machine than the code.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface MachineNoise {
  /** How late the idle process's timers ran (ms). */
  delayP99Ms: number;
  delayMaxMs: number;
}

export interface IdleProbe {
  /** Ends the probe and reports what it saw since it started. */
  stop(): Promise<MachineNoise>;
}

// Plain CommonJS for `node -e`: no loader, no import of ours, so the probe costs the machine next to nothing.
const PROBE_SCRIPT = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const delay = monitorEventLoopDelay({ resolution: 2 });
delay.enable();
process.stdin.once('data', () => {
  delay.disable();
  process.stdout.write(JSON.stringify({ delayP99Ms: delay.percentile(99) / 1e6, delayMaxMs: delay.max / 1e6 }) + '\\n');
  process.exit(0);
});
process.stdout.write('ready\\n');
`;

/** Starts the idle process and resolves once it measures. */
export async function startIdleProbe(): Promise<IdleProbe> {
  const child = spawn(process.execPath, ['-e', PROBE_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => { output += chunk; });
  const exited = once(child, 'exit');
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.startsWith('ready\n')) {
        child.stdout.off('data', check);
        resolve();
      }
    };
    child.stdout.on('data', check);
    exited.then(() => reject(new Error('the idle probe process exited before it started measuring')), reject);
  });
  await ready;
  return {
    async stop() {
      child.stdin.end('stop\n');
      await exited;
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (line === undefined) throw new Error('the idle probe process reported nothing');
      return JSON.parse(line) as MachineNoise;
    },
  };
}
