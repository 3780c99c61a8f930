/**
 * In-process `tenkey …` runs for the capture command tests: stdout/stderr captured, exit code returned,
 * temporary files cleaned up and process.exitCode reset after each test.
 */
import { afterEach, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.js';

export interface CliHarness {
  run(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** Writes a temporary file (removed after the test) and returns its path. */
  file(name: string, content: string | Uint8Array): string;
}

export function useCliHarness(): CliHarness {
  let dir: string | undefined;
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return {
    async run(...args) {
      let out = '';
      let err = '';
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out += String(chunk);
        return true;
      });
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        err += String(chunk);
        return true;
      });
      try {
        const code = await main(['node', 'tenkey', ...args]);
        return { code, out, err };
      } finally {
        vi.restoreAllMocks();
        process.exitCode = undefined;
      }
    },
    file(name, content) {
      dir ??= mkdtempSync(join(tmpdir(), 'tenkey-cli-'));
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}
