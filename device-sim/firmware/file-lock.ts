/**
 * An exclusive hold on a file for as long as a process uses it: `FILE.lock` names the holder's pid. The lock is
 * written beside and linked into place (a link fails when one exists), so nobody ever reads a half-written one.
 * A lock whose pid no longer runs (a process killed without clean-up) is stale and is taken over; locks still
 * held are removed when the process exits.
 * Hand-written: proper-lockfile judges staleness by mtime and keeps a timer refreshing it; a pid answers it exactly.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export interface FileLock {
  /** The lock file (`FILE.lock`). */
  readonly path: string;
  /** Removes the lock. Idempotent. */
  release(): void;
}

/** Another running process holds the lock: its pid (undefined: a lock that names none, being replaced). */
export interface LockHeld {
  readonly heldBy: number | undefined;
  readonly path: string;
}

const held = new Set<string>();
let releaseOnExit = false;

/** Holds `file`'s lock, or says who holds it. Throws the file system's error when the lock cannot be written. */
export function lockFile(file: string): FileLock | LockHeld {
  const path = `${file}.lock`;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let holder: number | undefined;
  // Three tries: a stale lock taken over by another process between our look and our link is that process's.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryLink(path)) return hold(path);
    holder = holderOf(path);
    if (holder !== undefined && isRunning(holder)) return { heldBy: holder, path };
    if (!removeStale(path, holder)) return { heldBy: holderOf(path), path };
  }
  return { heldBy: holderOf(path), path };
}

function tryLink(path: string): boolean {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(temporary, `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function hold(path: string): FileLock {
  held.add(path);
  if (!releaseOnExit) {
    releaseOnExit = true;
    process.once('exit', () => { for (const lock of held) rmSync(lock, { force: true }); });
  }
  return {
    path,
    release(): void {
      if (!held.delete(path)) return;
      rmSync(path, { force: true });
    },
  };
}

/** The pid a lock names; undefined when it is gone or names none. */
function holderOf(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = /^\s*(\d+)\s*$/.exec(text)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: it runs, as another user
  }
}

/**
 * Moves the stale lock (holder `stale`) aside and deletes it; false when what was moved turned out to be a live
 * lock another process had just taken (it is put back). A rename moves one file for one process only, so two
 * processes taking over at once cannot both delete the same lock.
 */
function removeStale(path: string, stale: number | undefined): boolean {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true; // gone already: try to link again
    throw error;
  }
  const moved = holderOf(aside);
  if (moved === stale || moved === undefined || !isRunning(moved)) {
    rmSync(aside, { force: true });
    return true;
  }
  try {
    linkSync(aside, path);
  } catch {
    // a third process linked a lock meanwhile: it holds the file now
  }
  rmSync(aside, { force: true });
  return false;
}
