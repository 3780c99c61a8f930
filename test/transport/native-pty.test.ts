import { closeSync, fstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isatty } from 'node:tty';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNativePty, NativeAddonMissingError, PtyQueue } from '../../device-sim/transport/native-pty.js';
import { findPackageRoot } from '../../protocol/package-root.js';

const fds: number[] = [];
afterEach(() => {
  for (const fd of fds.splice(0)) closeSync(fd);
});

describe('tenkey_pty addon', () => {
  it('is found from any folder below the package root (source or dist/)', () => {
    const root = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
    expect(root).toBeDefined();
    expect(findPackageRoot(join(root as string, 'dist', 'device-sim', 'transport'))).toBe(root);
    expect(findPackageRoot(tmpdir())).toBeUndefined();
  });

  it('says in one line that no prebuilt addon fits this platform when neither prebuilds/ nor build/Release has one', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tenkey-no-addon-'));
    try {
      expect(() => loadNativePty(empty)).toThrow(NativeAddonMissingError);
      expect(() => loadNativePty(empty)).toThrow(/^no PTY support here: .*prebuilt for linux-x64 \(glibc\).*npm install\)$/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('openRawPty() returns a master/slave tty pair and the slave path', () => {
    const pty = loadNativePty().openRawPty();
    fds.push(pty.masterFd, pty.slaveFd);
    expect(pty.path).toMatch(/^\/dev\/pts\/\d+$/);
    expect(isatty(pty.masterFd)).toBe(true);
    expect(isatty(pty.slaveFd)).toBe(true);
    expect(fstatSync(pty.slaveFd).rdev).not.toBe(fstatSync(pty.masterFd).rdev);
  });

  it('discardPending() validates its arguments and reports errno codes', () => {
    const native = loadNativePty();
    expect(() => native.discardPending(-1, PtyQueue.BOTH)).toThrow(TypeError);
    expect(() => native.discardPending(0, 7 as PtyQueue)).toThrow(TypeError);
    const pty = native.openRawPty();
    fds.push(pty.masterFd, pty.slaveFd);
    expect(() => native.discardPending(pty.slaveFd, PtyQueue.RECEIVED)).not.toThrow();
    expect(() => native.discardPending(1_000_000, PtyQueue.BOTH)).toThrow(expect.objectContaining({ code: 'EBADF' }) as Error);
  });
});
