/**
 * What a row's check starts is stopped again by the check itself, whatever happens: the rows use no vitest hooks,
 * so scripts/ can import them (to render the README table) without a test runner.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Registers a clean-up; clean-ups run last first. */
export type Defer = (cleanup: () => unknown) => void;

/** Runs `body`, then every clean-up it deferred, even when it threw. Hand-written: Node 20 has no AsyncDisposableStack. */
export async function withCleanup<T>(body: (defer: Defer) => Promise<T>): Promise<T> {
  const cleanups: (() => unknown)[] = [];
  try {
    return await body((cleanup) => { cleanups.push(cleanup); });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/** A temporary folder, removed by the scope; returns what writes a file into it and gives its path. */
export function tempFiles(defer: Defer): (name: string, content: string | Uint8Array) => string {
  const dir = mkdtempSync(join(tmpdir(), 'tenkey-bad-input-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  return (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
}
