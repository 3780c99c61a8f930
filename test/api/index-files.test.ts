/**
 * Index files re-export by name (STYLE.md): `export *` would publish whatever a module happens to export, so an
 * internal helper could become API without anyone choosing it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SKIPPED = new Set(['node_modules', 'dist', 'build', 'test-results', '.git']);

function indexFiles(dir = '.'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = dir === '.' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : indexFiles(path);
    return entry.name === 'index.ts' ? [path] : [];
  });
}

describe('index files', () => {
  it('include every entry point of package.json "exports"', () => {
    const exports = (JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, string> }).exports;
    const sources = Object.values(exports).map((target) => target.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'));
    expect(indexFiles()).toEqual(expect.arrayContaining(sources));
  });

  it('re-export by name, never with export *', () => {
    const starred = indexFiles().filter((path) => /^\s*export\s+(type\s+)?\*/m.test(readFileSync(path, 'utf8')));
    expect(starred).toEqual([]);
  });
});
