/** Which modules a `tenkey` process loads: a module hook records every file the ESM loader reads, a --require hook every CommonJS one. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const projectRoot = resolve(import.meta.dirname, '../..');
const recorder = resolve(import.meta.dirname, 'fixtures/record-loads.mjs');
const requireRecorder = resolve(import.meta.dirname, 'fixtures/record-requires.cjs');

export interface LoadedModules {
  /** Project files (relative to the root, node_modules packages as `node_modules/<name>/…`). */
  files: string[];
  stdout: string;
}

/**
 * `tenkey ...args` in a process of its own, from the TypeScript sources (cli/main.ts through tsx) or, with
 * `built`, as installed (bin/tenkey.cjs over dist/): the modules it loaded, in order.
 */
export async function modulesLoadedBy(args: string[], options: { built?: boolean } = {}): Promise<LoadedModules> {
  const dir = await mkdtemp(join(tmpdir(), 'tenkey-loads-'));
  const list = join(dir, 'loads.txt');
  const command = options.built
    // The built CLI is CommonJS (bin/tenkey.cjs, dist/cli/bundle/main.cjs); verb work it imports is ESM.
    ? ['--require', requireRecorder, '--import', recorder, resolve(projectRoot, 'bin/tenkey.cjs'), ...args]
    : ['--import', 'tsx', '--import', recorder, '--input-type=module', '-e',
        `import { main } from ${JSON.stringify(resolve(projectRoot, 'cli/main.ts'))}; process.exitCode = await main(process.argv);`,
        'tenkey', ...args];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, command, {
      cwd: projectRoot, env: { ...process.env, TENKEY_RECORD_LOADS: list }, maxBuffer: 16 * 1024 * 1024,
    });
    const urls = (await readFile(list, 'utf8')).split('\n').filter((u) => u.startsWith('file:'));
    return { files: urls.map((u) => relative(projectRoot, fileURLToPath(u))), stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
