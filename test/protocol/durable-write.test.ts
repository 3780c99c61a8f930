/**
 * writeFileDurably: the whole content or the old file, never a truncated one. A file system may write part of a
 * buffer per call (a full disk, a signal): the spy below makes every fs.writeSync short, on the real file system
 * (a single writeSync then leaves half a file; Node's writeFileSync loops, in JS or in its C++ path for strings).
 */
import fs, { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeFileDurably } from '../../protocol/durable-write.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  syncBuiltinESMExports();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenkey-durable-'));
  dirs.push(dir);
  return dir;
}

describe('writeFileDurably', () => {
  it('writes the whole content when each write takes only part of it', () => {
    const realWrite = fs.writeSync.bind(fs) as (fd: number, buffer: Uint8Array, offset?: number, length?: number) => number;
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: string | Uint8Array, offset?: number, length?: number) => {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      const start = typeof offset === 'number' ? offset : 0;
      const available = typeof length === 'number' ? length : bytes.byteLength - start;
      return realWrite(fd, bytes, start, Math.max(1, Math.floor(available / 2))); // half of what was asked
    }) as typeof fs.writeSync);
    syncBuiltinESMExports(); // named imports of node:fs see the spy too
    const path = join(folder(), 'state.json');
    const content = `${JSON.stringify({ format: 'x/1', padding: 'p'.repeat(1000) })}\n`;
    writeFileDurably(path, content);
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('replaces the old content and leaves no temporary file beside it', () => {
    const dir = folder();
    const path = join(dir, 'state.json');
    writeFileSync(path, 'old');
    writeFileDurably(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });
});
