/**
 * Replaces a small file so that a crash at any moment leaves either the old content or the new, never a mix, and
 * the new content is on disk when this returns: write a temporary file beside it, fsync it, rename it over the
 * old one, fsync the folder (the rename itself is only durable then). Synchronous: its callers (a DUKPT counter
 * moving before a key exists, a receiver recording a counter it accepted) must not go on until it is done.
 * Hand-written: write-file-atomic does not fsync the folder, and the folder fsync is what makes the rename survive a crash.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export function writeFileDurably(path: string, content: string): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeFileSync(fd, content); // loops until all is written: one writeSync may write part (a full disk)
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  fsyncFolder(folder);
}

function fsyncFolder(folder: string): void {
  let fd: number;
  try {
    fd = openSync(folder, 'r');
  } catch {
    return; // a platform that cannot open a folder (Windows) cannot fsync one either
  }
  try {
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on a folder (EINVAL): the rename is as durable there as they make it
  } finally {
    closeSync(fd);
  }
}
