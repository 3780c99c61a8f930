/**
 * Issue 16 item 3: each verb loads only what it uses. Registering the verbs (everything `tenkey --help` runs) reaches
 * no verb implementation and no heavy dependency; `tenkey decode` loads the capture reader and the protocol decoding
 * it needs, nothing of the keypad, the driver or the bridge. Checked without timing: on the static import graph of
 * cli/main.ts, on the modules real `tenkey` processes load from the sources (a module hook records them), and on the
 * built bin/tenkey.cjs, whose entry is bundled (scripts/bundle-cli.ts; `npm test` builds first).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { modulesLoadedBy, projectRoot } from './loaded-modules.js';

/** Files under these folders are a verb's work, never its registration. */
const IMPLEMENTATION = /^(cli\/commands|cli\/capture\/(?!format-option)|device-sim|host-driver|bridge|demo-store|payment-sim|replay|conform|testing|native)\//;
/** Packages that have no business in `--help`: the entry machine, the serial port, the card-number libraries, the native addon's finder. */
const HEAVY_PACKAGE = /^node_modules\/(xstate|serialport|@serialport|card-validator|credit-card-type|node-gyp-build)\//;

/** Project files cli/main.ts reaches through static, value (not type-only) imports: what loads before any action runs. */
function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const queue = [resolve(projectRoot, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      const typeOnly = (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly === true)
        || (ts.isExportDeclaration(statement) && statement.isTypeOnly);
      const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) ? statement.moduleSpecifier : undefined;
      if (typeOnly || specifier === undefined || !ts.isStringLiteral(specifier)) continue;
      if (!specifier.text.startsWith('.')) {
        if (!specifier.text.startsWith('node:')) bare.add(specifier.text);
        continue;
      }
      const target = resolve(dirname(file), specifier.text.replace(/\.js$/, '.ts'));
      if (!existsSync(target)) throw new Error(`${relative(projectRoot, file)} imports missing ${specifier.text}`);
      queue.push(target);
    }
  }
  return [...[...seen].map((f) => relative(projectRoot, f)), ...[...bare].map((b) => `node_modules/${b}/`)];
}

describe('registering the verbs (cli/main.ts and cli/verbs/, statically)', () => {
  const files = staticGraph('cli/main.ts');

  it('reaches every verb registration and commander', () => {
    expect(files).toEqual(expect.arrayContaining(['cli/main.ts', 'cli/verbs/read.ts', 'cli/verbs/decode.ts', 'cli/verbs/bridge.ts', 'node_modules/commander/']));
  });

  it('reaches no verb implementation: each action imports its own when it runs', () => {
    expect(files.filter((f) => IMPLEMENTATION.test(f))).toEqual([]);
  });

  it('imports no package but commander', () => {
    expect(files.filter((f) => f.startsWith('node_modules/'))).toEqual(['node_modules/commander/']);
  });
});

describe('what a tenkey process loads', () => {
  it('`tenkey --help`: the registrations, commander and a few protocol constants; no implementation, no heavy package', async () => {
    const { files, stdout } = await modulesLoadedBy(['--help']);
    expect(stdout).toContain('Usage: tenkey');
    expect(files).toContain('cli/verbs/decode.ts');
    expect(files.filter((f) => IMPLEMENTATION.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('node_modules/') && !f.startsWith('node_modules/commander/'))).toEqual([]);
  });

  it('`tenkey decode FILE`: the capture reader and the protocol decoding; nothing of the keypad, the driver or the bridge', async () => {
    const { files, stdout } = await modulesLoadedBy(['decode', resolve(projectRoot, 'fixtures/captures/busy.jsonl')]);
    expect(stdout).toMatch(/HELLO/);
    expect(files).toEqual(expect.arrayContaining(['cli/commands/decode.ts', 'protocol/capture/load-capture.ts', 'protocol/frame.ts']));
    expect(files.filter((f) => f.startsWith('cli/commands/') && f !== 'cli/commands/decode.ts')).toEqual([]);
    expect(files.filter((f) => /^(device-sim|host-driver|bridge|demo-store|payment-sim|replay|conform|testing|native)\//.test(f))).toEqual([]);
    expect(files.filter((f) => HEAVY_PACKAGE.test(f))).toEqual([]);
  });
});

describe('the built tenkey (bin/tenkey.cjs over the bundle in dist/cli/bundle/)', () => {
  it('`tenkey --help` loads the bundle and nothing else: no module of dist/, no package', async () => {
    const { files, stdout } = await modulesLoadedBy(['--help'], { built: true });
    expect(stdout).toContain('Usage: tenkey');
    expect(files).toContain('dist/cli/bundle/main.cjs');
    expect(files.filter((f) => f !== 'bin/tenkey.cjs' && !f.startsWith('dist/cli/bundle/'))).toEqual([]);
  });

  it('`tenkey decode FILE` runs from the bundle (its work is bundled in, initialised when decode runs), and loads nothing else', async () => {
    const { files, stdout } = await modulesLoadedBy(['decode', resolve(projectRoot, 'fixtures/captures/busy.jsonl')], { built: true });
    expect(stdout).toMatch(/HELLO/);
    expect(files).toContain('dist/cli/bundle/main.cjs');
    expect(files.filter((f) => f !== 'bin/tenkey.cjs' && !f.startsWith('dist/cli/bundle/'))).toEqual([]);
  });

  it('`tenkey read --help` imports no verb work: read\'s stays in dist/ until read runs', async () => {
    const { files } = await modulesLoadedBy(['read', '--help'], { built: true });
    expect(files.filter((f) => f !== 'bin/tenkey.cjs' && !f.startsWith('dist/cli/bundle/'))).toEqual([]);
  });
});
