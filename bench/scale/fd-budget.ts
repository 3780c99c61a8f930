/**
 * Checks before opening many keypads that the process may open enough files and the kernel has enough PTYs, so a
 * too-low `ulimit -n` is a clear message instead of an EMFILE halfway through.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** File descriptors one keypad costs in this process: the PTY master and slave (simulator) and the host's port. */
export const FDS_PER_KEYPAD = 3;
/** Slack for everything else the run opens meanwhile (libuv, stdio, module files). */
const FD_SLACK = 64;

export class ScaleLimitError extends Error {
  override readonly name = 'ScaleLimitError';
}

/** Open file descriptors of this process now (Linux /proc). */
export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

function softOpenFileLimit(): number | undefined {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  if (match === null || match[1] === 'unlimited') return undefined;
  return Number(match[1]);
}

function readNumber(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Throws ScaleLimitError when `keypads` more keypads would not fit the fd limit or the kernel's PTY limit. */
export function assertRoomFor(keypads: number): void {
  const needed = openFdCount() + keypads * FDS_PER_KEYPAD + FD_SLACK;
  const limit = softOpenFileLimit();
  if (limit !== undefined && needed > limit) {
    throw new ScaleLimitError(
      `${keypads} keypads need about ${needed} open files but the limit is ${limit}: raise it (ulimit -n ${needed}) or run fewer keypads`,
    );
  }
  const ptyMax = readNumber('/proc/sys/kernel/pty/max');
  const ptyInUse = readNumber('/proc/sys/kernel/pty/nr');
  if (ptyMax !== undefined && ptyInUse !== undefined && ptyInUse + keypads > ptyMax) {
    throw new ScaleLimitError(
      `${keypads} keypads need ${keypads} PTYs but only ${ptyMax - ptyInUse} of ${ptyMax} are free (/proc/sys/kernel/pty/max)`,
    );
  }
}
