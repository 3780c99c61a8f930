/**
 * The tenkey package folder — the repository root, or the installed package — found by walking up to the folder
 * whose package.json is tenkey's: the same answer from the TypeScript sources and from dist/.
 * One walk for every file the package ships beside its code (the PTY addon, the TEST keys, the store's pages).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder at or above `from` whose package.json names the package "tenkey", or undefined. */
export function findPackageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (isTenkeyPackage(dir)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The package folder; throws when the files beside the code are missing (a broken install). */
export function packageRoot(): string {
  const root = findPackageRoot();
  if (root === undefined) throw new Error('tenkey package root (the folder whose package.json is tenkey\'s) not found');
  return root;
}

function isTenkeyPackage(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'tenkey';
  } catch {
    return false; // no package.json here, or not JSON: keep walking
  }
}
