/** `tenkey bridge` as a child process run from source, as a user runs it; killed after each test if still running. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach } from 'vitest';
import { projectRoot } from '../host-driver/cli-runner.js';

export const RUN_CLI = join(projectRoot, 'test/host-driver/fixtures/run-cli.ts');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Kills `child` after the test unless it has exited by then. */
export function killAfterTest(child: ChildProcess): void {
  children.push(child);
}

export interface BridgeProcess {
  child: ChildProcess;
  url: string;
  /** Everything on stderr so far. */
  stderr(): string;
  /** Resolves when stderr has a line matching `pattern`. */
  stderrLine(pattern: RegExp): Promise<string>;
}

/** Starts `tenkey bridge …args` and resolves with the URL it printed as its first stdout line. */
export async function runBridge(args: string[]): Promise<BridgeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, 'bridge', ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  killAfterTest(child);
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const [url] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return {
    child,
    url,
    stderr: () => lines.join('\n'),
    stderrLine: (pattern) => {
      const seen = lines.find((l) => pattern.test(l));
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}
