/**
 * Loads the tenkey_pty addon (native/pty.c, built by `npm install` through binding.gyp). Hand-written because
 * node-pty's open() reads the slave side itself and so steals the host's bytes; we need only openpty + raw mode.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CodedError } from '../../protocol/coded-error.js';
import { findPackageRoot } from '../../protocol/package-root.js';

/** One freshly opened pseudo-terminal pair, slave already in raw mode, master non-blocking. */
export interface RawPty {
  masterFd: number;
  slaveFd: number;
  /** The slave's device path, e.g. /dev/pts/3: what a host opens as its serial port. */
  path: string;
}

/** tcflush() queues: bytes received but unread, bytes written but not yet read by the other side, both. */
export const PtyQueue = { RECEIVED: 0, SENT: 1, BOTH: 2 } as const;
export type PtyQueue = (typeof PtyQueue)[keyof typeof PtyQueue];

export interface NativePty {
  openRawPty(): RawPty;
  discardPending(fd: number, queue: PtyQueue): void;
}

export class NativeAddonMissingError extends CodedError<'NATIVE_ADDON_MISSING'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NATIVE_ADDON_MISSING', message, options);
  }
}

let loaded: NativePty | undefined;

/** The addon, loaded once. `root` (tests) looks in another package folder instead and bypasses the cache. */
export function loadNativePty(root?: string): NativePty {
  if (root === undefined && loaded !== undefined) return loaded;
  const packageRoot = root ?? findPackageRoot();
  const addonPath = packageRoot === undefined ? undefined : join(packageRoot, 'build', 'Release', 'tenkey_pty.node');
  if (addonPath === undefined || !existsSync(addonPath)) {
    throw new NativeAddonMissingError(
      `tenkey's PTY addon is not built (looked for ${addonPath ?? 'build/Release/tenkey_pty.node next to binding.gyp'}). ` +
        'Run `npm install` (or `npm rebuild tenkey`) in the package folder; it compiles native/pty.c with node-gyp.',
    );
  }
  const addon = createRequire(import.meta.url)(addonPath) as NativePty;
  if (root === undefined) loaded = addon;
  return addon;
}
