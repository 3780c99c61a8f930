/**
 * The tenkey package folder — the repository root, or the installed package — found by walking up to the folder
 * that holds binding.gyp (shipped in the package): the same answer from the TypeScript sources and from dist/.
 * One walk for every file the package ships beside its code (the PTY addon, the TEST keys, the store's pages).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder at or above `from` that holds binding.gyp, or undefined. */
export function findPackageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The package folder; throws when the files beside the code are missing (a broken install). */
export function packageRoot(): string {
  const root = findPackageRoot();
  if (root === undefined) throw new Error('tenkey package root (the folder with binding.gyp) not found');
  return root;
}
