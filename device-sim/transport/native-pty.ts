/**
 * Loads the tenkey_pty addon (native/pty.c). Hand-written because node-pty's open() reads the slave side itself and
 * so steals the host's bytes; we need only openpty + raw mode. The package ships it prebuilt (prebuilds/, made by
 * prebuildify at pack time) and node-gyp-build picks the one for this platform, or a developer's build/Release.
 * Optional: only a PTY keypad loads it, so where no binary fits, everything but PTYs still works.
 */
import { createRequire } from 'node:module';
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

/** node-gyp-build's finder (typed here: the package ships no declarations). Throws when no binary fits. */
type FindAddon = (packageFolder: string) => string;

const require = createRequire(import.meta.url);
let loaded: NativePty | undefined;

/** The addon, loaded once. `root` (tests) looks in another package folder instead and bypasses the cache. */
export function loadNativePty(root?: string): NativePty {
  if (root === undefined && loaded !== undefined) return loaded;
  const packageRoot = root ?? findPackageRoot();
  let addonPath: string;
  try {
    if (packageRoot === undefined) throw new Error('tenkey package folder not found');
    addonPath = (require('node-gyp-build') as { path: FindAddon }).path(packageRoot);
  } catch (error) {
    throw new NativeAddonMissingError(
      `no PTY support here: tenkey's PTY addon ships prebuilt for linux-x64 (glibc) only, and none was found for ` +
        `${platformName()} (a clone of the repository builds its own at npm install)`,
      { cause: error },
    );
  }
  const addon = require(addonPath) as NativePty;
  if (root === undefined) loaded = addon;
  return addon;
}

/** e.g. darwin-arm64, linux-x64 (musl): what the user would look for in prebuilds/. */
function platformName(): string {
  const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
  return `${process.platform}-${process.arch}${process.platform === 'linux' && glibc === undefined ? ' (musl)' : ''}`;
}
