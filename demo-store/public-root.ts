/** Where the store's static pages (HTML, CSS, browser JS) are: shipped as they are, no bundler. */
import { join } from 'node:path';
import { packageRoot } from '../protocol/package-root.js';

export function publicRoot(): string {
  return join(packageRoot(), 'demo-store', 'public');
}
