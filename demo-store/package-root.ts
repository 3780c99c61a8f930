/**
 * The tenkey package folder, found by walking up from this module to the package.json named "tenkey": the same
 * answer from the TypeScript sources (vitest/tsx) and from the built dist/demo-store/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'tenkey') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('tenkey package root not found above demo-store/');
    dir = parent;
  }
}

/** The store's static pages (HTML, CSS, browser JS), shipped as they are: no bundler. */
export function publicRoot(): string {
  return join(packageRoot(), 'demo-store', 'public');
}
