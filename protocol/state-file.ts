/**
 * Reads a small JSON state file that writeFileDurably (protocol/durable-write.ts) keeps: none yet (ENOENT) is
 * undefined; one that cannot be read, is not JSON or names another format is the caller's own typed error, so
 * a service never starts on a record it cannot trust.
 */
import { readFileSync } from 'node:fs';

export interface StateFileErrors {
  /** The file exists and cannot be read: `code` is the errno code (EACCES, EISDIR, …). */
  cannotRead(code: string, cause: unknown): Error;
  /** The file was read and is not a state file of this format: `why` says what is wrong. */
  damaged(why: string, cause?: unknown): Error;
}

/** The file's JSON object, checked to name `format`; undefined when there is no file. */
export function readStateFile(path: string, format: string, errors: StateFileErrors): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw errors.cannotRead(code ?? 'error', error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw errors.damaged('not JSON', error);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || (json as Record<string, unknown>).format !== format) {
    throw errors.damaged(`format is not ${format}`);
  }
  return json as Record<string, unknown>;
}
