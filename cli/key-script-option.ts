/** `--keys SCRIPT` / `--script FILE`, as `tenkey sim` and `tenkey demo-store` take them. */
import { readFile } from 'node:fs/promises';
import { parseKeyScript } from '../device-sim/key-script.js';
import { UsageError } from './usage-error.js';

export interface KeyScriptFlags {
  keys?: string;
  script?: string;
}

/** The key script the flags give (undefined for none); a UsageError for both flags, an unreadable file or a bad script. */
export async function keyScriptOf(flags: KeyScriptFlags): Promise<string | undefined> {
  if (flags.keys !== undefined && flags.script !== undefined) throw new UsageError('give --keys or --script, not both');
  let keys = flags.keys;
  if (flags.script !== undefined) {
    try {
      keys = (await readFile(flags.script, 'utf8')).replace(/#[^\n]*/g, '');
    } catch (error) {
      throw new UsageError(`cannot read --script ${flags.script}: ${(error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))}`);
    }
  }
  if (keys !== undefined) parseKeyScript(keys); // reports a bad script with its column before anything listens
  return keys;
}
