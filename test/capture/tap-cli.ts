/** Runs `tenkey tap …` from source in a child process and follows its stdout/stderr line by line. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { vi } from 'vitest';

const mainPath = resolve(import.meta.dirname, '../../cli/main.ts');

export interface TapProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Waits (bounded, by polling) until a stdout line matches; returns it. Says so when the tap exited first. */
  waitForLine(pattern: RegExp, after?: number): Promise<string>;
  /** Number of stdout lines so far (for waitForLine's `after`). */
  lineCount(): number;
}

export function spawnTap(args: string[]): TapProcess {
  const child = spawn(process.execPath, [
    '--import', 'tsx', '--input-type=module', '-e',
    `import { main } from ${JSON.stringify(mainPath)}; process.exitCode = await main(process.argv.slice(0, 1).concat(process.argv.slice(1)));`,
    'tenkey', 'tap', ...args,
  ], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  let out = '';
  let err = '';
  let exitCode: number | null | undefined;
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => {
    exitCode = code;
    r(code);
  }));
  const lines = (): string[] => out.split('\n').slice(0, -1);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    lineCount: () => lines().length,
    async waitForLine(pattern, after = 0) {
      let found: string | undefined;
      await vi.waitFor(() => {
        found = lines().slice(after).find((l) => pattern.test(l));
        if (found !== undefined) return;
        if (exitCode !== undefined) throw new Error(`tap exited (${exitCode}) before printing ${pattern}:\n${out}${err}`);
        throw new Error(`no line ${pattern} yet:\n${out}${err}`);
      }, { timeout: 15_000, interval: 10 });
      return found!;
    },
  };
}
