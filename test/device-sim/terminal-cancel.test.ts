/**
 * Esc = cancel on a real terminal: `tenkey demo` (what `npm start` runs) with its stdin on the slave side of a
 * real PTY (the repo's own tenkey_pty addon), the test typing on the master side like a terminal emulator does.
 * Runs the built bin (the test command builds dist/ first). Only a few digits are ever typed: no card number.
 *
 * No sleeps: every step waits for the demo's own progress line ("card number ●●") before the next key, and a
 * key that must NOT cancel is followed by a digit whose progress line could not appear had the entry ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNativePty } from '../../device-sim/transport/native-pty.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/tenkey.cjs');
/** Liveness bound only (turns a hang into a failure); no assertion depends on how fast anything happens. */
const LIVENESS_MS = 10_000;
const ESC = '\x1b';

interface Demo {
  child: ChildProcess;
  lines: string[];
  /** Writes bytes on the PTY master: what the terminal emulator sends when a person presses keys. */
  type(bytes: string): void;
  /** Resolves with the first line (seen so far or later) matching `pattern`; rejects if the demo exits first. */
  line(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function startDemo(): Demo {
  const pty = loadNativePty().openRawPty();
  cleanups.push(() => { closeSync(pty.masterFd); closeSync(pty.slaveFd); });
  const child = spawn(process.execPath, [BIN, 'demo'], { stdio: [pty.slaveFd, 'pipe', 'pipe'] });
  cleanups.push(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.pattern.test(line))) waiter.resolve(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    type: (bytes) => void writeSync(pty.masterFd, bytes),
    line: (pattern) => {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const settle = (): void => {
          clearTimeout(timer);
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
        };
        const fail = (why: string): void => {
          settle();
          reject(new Error(`${why} before a line matching ${pattern}; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
        };
        const waiter = { pattern, resolve: (line: string) => { settle(); resolve(line); } };
        const timer = setTimeout(() => fail(`no line within ${LIVENESS_MS} ms`), LIVENESS_MS);
        waiters.push(waiter);
        void exited.then(() => { if (waiters.includes(waiter)) fail('the demo exited'); });
      });
    },
    exited,
  };
}

/**
 * The demo's progress line once the keypad holds exactly `n` card-number digits (shown as dots, never digits).
 * `digitsShown(0)` ("card number  -") also says the keypad's entry has started: a key typed before that (e.g.
 * right after the prompt line) reaches a keypad with no entry and is ignored.
 */
function digitsShown(n: number): RegExp {
  const dots = n === 0 ? '-' : '●'.repeat(n).replace(/(.{4})(?=.)/gu, '$1 ');
  return new RegExp(`^  card number  ${dots}   \\(`, 'u');
}

async function expectCancelledExit(demo: Demo): Promise<void> {
  await demo.line(/^entry cancelled/);
  expect(await demo.exited).toBe(0);
}

describe('tenkey demo on a real terminal: Esc cancels the entry', () => {
  it('a lone Esc after some digits ends the entry as cancelled and the demo exits 0', async () => {
    const demo = startDemo();
    await demo.line(/^type the card number on your keyboard/);
    await demo.line(digitsShown(0));
    demo.type('41');
    await demo.line(digitsShown(2));
    demo.type(ESC);
    await expectCancelledExit(demo);
  });

  it('Esc followed at once by a digit (one read) cancels; the digit is not typed into the entry', async () => {
    const demo = startDemo();
    await demo.line(/^type the card number on your keyboard/);
    await demo.line(digitsShown(0));
    demo.type('41');
    await demo.line(digitsShown(2));
    demo.type(`${ESC}5`);
    await expectCancelledExit(demo);
    expect(demo.lines.some((l) => digitsShown(3).test(l))).toBe(false);
  });

  it('arrow keys and other escape sequences do not cancel (the next digit still lands in the entry)', async () => {
    const demo = startDemo();
    await demo.line(/^type the card number on your keyboard/);
    await demo.line(digitsShown(0));
    demo.type('4');
    await demo.line(digitsShown(1));
    // Up, Left, Home, F5 (CSI), F1 (SS3), Alt+Up (ESC ESC [ A), then a digit, all in one read.
    demo.type(`${ESC}[A${ESC}[D${ESC}[H${ESC}[15~${ESC}OP${ESC}${ESC}[A1`);
    await demo.line(digitsShown(2));
    // Each sequence on its own read too, digit after each: none may end the entry.
    let shown = 2;
    for (const sequence of [`${ESC}[B`, `${ESC}[C`, `${ESC}OQ`, `${ESC}[F`]) {
      demo.type(sequence);
      demo.type('1');
      await demo.line(digitsShown(++shown));
    }
    expect(demo.lines.some((l) => /cancelled/.test(l))).toBe(false);
    demo.type(ESC);
    await expectCancelledExit(demo);
  });
});
