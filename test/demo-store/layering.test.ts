/**
 * The store holds no key: its server reaches the card decrypt (device-sim/crypto) only through the payment
 * stand-ins in payment-sim/, and its pages are plain browser modules that import nothing outside public/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((i) => i.fileName);
}

describe('demo-store layering', () => {
  it('the store server imports no crypto, no simulator and no keys: payment-sim/ is its only way to the card', () => {
    const files = readdirSync(join(root, 'demo-store')).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('store-api.ts');
    const imports = files.flatMap((f) => importsOf(join(root, 'demo-store', f)).map((spec) => resolve(join(root, 'demo-store'), spec)));
    expect(imports.some((path) => path.startsWith(join(root, 'payment-sim')))).toBe(true);
    expect(imports.filter((path) => path.startsWith(join(root, 'device-sim')))).toEqual([]);
  });

  it('the browser modules import only each other', () => {
    const dir = join(root, 'demo-store', 'public', 'js');
    const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      for (const spec of importsOf(join(dir, file))) expect(spec).toMatch(/^\.\/[\w-]+\.js$/);
      expect(readFileSync(join(dir, file), 'utf8')).not.toMatch(/\bbdk\b|TEST-ONLY/i);
    }
  });
});
