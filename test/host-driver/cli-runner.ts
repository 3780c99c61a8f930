/** Runs the tenkey CLI from source in a child process, as a user would run `tenkey …`. */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const projectRoot = resolve(here, '../..');
const runner = join(here, 'fixtures', 'run-cli.ts');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `tenkey ...args`; resolves when the process exits by itself (a hang fails the test by its timeout). */
export function runCli(args: string[], options: { timeoutMs?: number } = {}): Promise<CliRun> {
  return runNode([runner, ...args], options);
}

/** `node --import tsx <args>` from the project root. */
export function runNode(args: string[], options: { timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not exit within ${options.timeoutMs ?? 15_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      // 'exit' can precede the last 'data' events: wait for the pipes to close.
      child.stdout.once('close', () => resolvePromise({ code, stdout, stderr }));
      if (child.stdout.closed) resolvePromise({ code, stdout, stderr });
    });
  });
}

/**
 * `tenkey ...args` inside the test process (fast: no compile per run). Captures what the command writes
 * to stdout/stderr and its exit code; the process's own exitCode is restored afterwards.
 */
export async function runCliInProcess(args: string[]): Promise<CliRun> {
  const { main } = await import('../../cli/main.js');
  let stdout = '';
  let stderr = '';
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  const capture = (append: (text: string) => void) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  const savedExitCode = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = capture((t) => (stdout += t));
  process.stderr.write = capture((t) => (stderr += t));
  try {
    const code = await main(['node', 'tenkey', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
    process.exitCode = savedExitCode;
  }
}
