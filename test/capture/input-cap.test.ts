/**
 * Inputs that never end, or are too large: decode, capture export and replay refuse past MAX_CAPTURE_INPUT_BYTES
 * (64 MiB) with TOO_LARGE — a regular file from its size without reading it, stdin, devices and FIFOs once the
 * running count passes the cap — so memory stays bounded on /dev/zero or a live port.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CAPTURE_INPUT_BYTES } from '../../protocol/capture/load-capture.js';
import { projectRoot, runCliInProcess, runNode } from '../host-driver/cli-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'tenkey-cap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PEAK = join(projectRoot, 'test/capture/fixtures/load-capture-peak.ts');
const RUN_CLI = join(projectRoot, 'test/host-driver/fixtures/run-cli.ts');
const MiB = 1024 * 1024;

/** A sparse file of `size` bytes: no disk space, and reading it would cost as much as a real one. */
function sparseFile(name: string, size: number): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  truncateSync(path, size);
  return path;
}

/** `tenkey ...args` as a child whose stdin is `stdin` (a file descriptor) or the bytes written to it. */
function runWithStdin(args: string[], stdin: number | Buffer): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, ...args], { cwd: projectRoot, stdio: [typeof stdin === 'number' ? stdin : 'pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    if (Buffer.isBuffer(stdin)) {
      child.stdin!.on('error', () => {}); // the child may stop reading at the cap
      child.stdin!.end(stdin);
    }
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('capture input past 64 MiB', () => {
  it('the cap is 64 MiB', () => expect(MAX_CAPTURE_INPUT_BYTES).toBe(64 * MiB));

  it.each([
    ['decode', (path: string) => ['decode', path], 1],
    ['capture export', (path: string) => ['capture', 'export', path, '--pcapng', join(dir, 'out.pcapng')], 1],
    ['replay', (path: string) => ['replay', path], 2],
  ] as const)('%s refuses a file one byte over the cap from its size, unread', async (_verb, args, exit) => {
    const path = sparseFile('over.jsonl', MAX_CAPTURE_INPUT_BYTES + 1);
    const run = await runCliInProcess(args(path));
    expect(run.code).toBe(exit);
    // The size in the message comes from stat: only the unread path knows it.
    expect(run.stderr).toMatch(new RegExp(`over\\.jsonl \\(${MAX_CAPTURE_INPUT_BYTES + 1} bytes\\) is over ${MAX_CAPTURE_INPUT_BYTES} bytes \\(64 MiB\\).*\\[TOO_LARGE\\]\\n$`));
  });

  it('reads a file exactly at the cap (the refusal is past it, not at it)', async () => {
    const path = sparseFile('at.bin', MAX_CAPTURE_INPUT_BYTES);
    const run = await runCliInProcess(['decode', path]);
    expect(run.stderr).not.toMatch(/TOO_LARGE/);
  });

  it('/dev/zero as FILE: refused once 64 MiB were read, with peak memory bounded by the cap', async () => {
    const run = await runNode([PEAK, '/dev/zero'], { timeoutMs: 60_000 });
    const { code, maxRssBytes } = JSON.parse(run.stdout) as { code: string; maxRssBytes: number };
    expect(code).toBe('TOO_LARGE');
    // tsx and Node take about 100 MiB; the input at most the cap and a chunk, once.
    expect(maxRssBytes).toBeLessThan(MAX_CAPTURE_INPUT_BYTES + 256 * MiB);
  }, 60_000);

  it('/dev/zero as stdin: `decode -` exits 1 with TOO_LARGE', async () => {
    const zero = openSync('/dev/zero', 'r');
    try {
      const run = await runWithStdin(['decode', '-'], zero);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^tenkey decode: stdin is over 67108864 bytes \(64 MiB\).*\[TOO_LARGE\]\n$/);
    } finally {
      closeSync(zero);
    }
  }, 60_000);

  it('stdin one byte over the cap through a pipe: `replay -` exits 2 with TOO_LARGE', async () => {
    const run = await runWithStdin(['replay', '-'], Buffer.alloc(MAX_CAPTURE_INPUT_BYTES + 1, 0x20));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tenkey replay: stdin is over 67108864 bytes \(64 MiB\).*\[TOO_LARGE\]\n$/);
  }, 60_000);
});
