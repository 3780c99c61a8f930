/**
 * `tenkey read` with its stderr, and `tenkey demo` with its stdout, on the slave side of a real PTY (the repo's
 * tenkey_pty addon): the status line is redrawn in place (`\r` + erase line) with the seconds left counting down
 * by itself between the keypad's reports, a key starts them again from the timeout, and the line ends cleanly when
 * the entry does. Only one digit is ever typed, and the terminal shows a ● for it, never the digit.
 */
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNativePty } from '../../device-sim/transport/native-pty.js';
import { EXIT_CODES } from '../../cli/exit-codes.js';
import { simulator } from '../host-driver/harness.js';
import { projectRoot } from '../host-driver/cli-runner.js';

/** Liveness bound only (turns a hang into a failure); the countdown's own pace is what is asserted. */
const LIVENESS_MS = 20_000;
const REDRAW = '\r\x1b[2K';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

interface Terminal {
  /** The slave side: what the CLI gets as a terminal. */
  fd: number;
  /** Everything the CLI wrote to it so far. */
  written(): string;
  /** Resolves once `text` was written (within LIVENESS_MS). */
  shown(text: string): Promise<void>;
}

/** A real PTY whose master side the test reads, like a terminal emulator. */
function openTerminal(): Terminal {
  const pty = loadNativePty().openRawPty();
  const screen = new ReadStream(pty.masterFd);
  cleanups.push(() => { screen.destroy(); closeSync(pty.slaveFd); });
  let written = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  screen.on('data', (chunk: Buffer) => {
    written += chunk.toString('utf8');
    for (const waiter of waiters.filter((w) => written.includes(w.text))) waiter.resolve();
  });
  screen.on('error', () => {}); // EIO once the child closed its end: the test reads what came before
  return {
    fd: pty.slaveFd,
    written: () => written,
    shown: (text) => new Promise<void>((resolve, reject) => {
      if (written.includes(text)) return resolve();
      const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(text)} within ${LIVENESS_MS} ms; terminal: ${JSON.stringify(written)}`)), LIVENESS_MS);
      waiters.push({ text, resolve: () => { clearTimeout(timer); resolve(); } });
    }),
  };
}

/** `tenkey …args` from source, stdout and stderr as given; resolves its exit code and what it wrote on a pipe. */
function runTenkey(args: string[], stdio: { stdout: number | 'pipe'; stderr: number | 'pipe' }): { exited: Promise<number | null>; piped: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/host-driver/fixtures/run-cli.ts', ...args], {
    cwd: projectRoot, stdio: ['ignore', stdio.stdout, stdio.stderr],
  });
  cleanups.push(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let piped = '';
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => { piped += chunk.toString('utf8'); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { exited, piped: () => piped };
}

/** Lets the last bytes the child wrote come out of the PTY. */
const drained = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('tenkey read on a terminal', () => {
  it('counts the seconds left down on one redrawn status line, re-based by a key, until the entry times out', async () => {
    const sim = await simulator('pty');
    const terminal = openTerminal();
    const read = runTenkey(['read', '--device', sim.address, '--timeout', '4'], { stdout: 'pipe', stderr: terminal.fd });
    await terminal.shown(`${REDRAW}card number   (4s left)`);
    await terminal.shown(`${REDRAW}card number   (3s left)`); // no report from the keypad in between: the CLI ticked
    sim.keypad.press('4');
    await terminal.shown(`${REDRAW}card number ●  (4s left)`);
    await terminal.shown(`${REDRAW}card number ●  (1s left)`);
    expect(await read.exited).toBe(EXIT_CODES.ENTRY_TIMEOUT);
    await drained();

    expect(read.piped()).toBe('');
    const written = terminal.written();
    // One status line, redrawn in place: no newline between the first draw and the end of the entry.
    const statusLine = written.slice(written.indexOf(REDRAW), written.lastIndexOf(REDRAW));
    expect(statusLine).not.toContain('\n');
    const figures = [...statusLine.matchAll(/\((\d+)s left\)/g)].map((m) => Number(m[1]));
    const rebase = figures.lastIndexOf(4);
    expect(rebase).toBeGreaterThan(0);
    for (const run of [figures.slice(0, rebase), figures.slice(rebase)]) {
      for (let i = 1; i < run.length; i++) expect(run[i]).toBeLessThan(run[i - 1]!); // each redraw a lower figure (a loaded machine may skip one)
    }
    expect(written).not.toMatch(/card number [^(]*\d/); // a ●, never the digit
  });
});

describe('tenkey demo on a terminal', () => {
  it('counts the seconds left down on the line of the field being typed, then ends the line for what follows', async () => {
    const terminal = openTerminal();
    const demo = runTenkey(['demo', '--keys', '4<wait:2500><cancel>'], { stdout: terminal.fd, stderr: 'pipe' });
    await terminal.shown(`${REDRAW}  card number  ●   (60s left)`);
    await terminal.shown(`${REDRAW}  card number  ●   (59s left)`);
    expect(await demo.exited).toBe(0); // a cancelled entry is a demo that ran as it should
    await drained();
    // The cancelled state on a line of its own, then the outcome: nothing redrawn after the entry ended.
    expect(terminal.written()).toMatch(/\(5\ds left\)[^\n]*\n {2}cancelled\nentry cancelled \(キャンセル\)\n$/);
    expect(demo.piped()).toBe('');
  });
});
