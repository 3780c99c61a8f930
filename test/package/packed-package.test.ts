/**
 * tenkey as a user gets it: `npm pack` in a copy of the repository (its own prepack and prepare scripts make the
 * prebuilt PTY addon and dist/), the tarball installed into a fresh project with no C toolchain on PATH, and that
 * project's code (test/package/consumer/, copied in whole) type-checked and run against the installed package.
 * A new sample: a file in consumer/src/ (type-checked with the others) and a case here that runs it with
 * runConsumerScript. npm installs from its cache (--prefer-offline): the repository's own `npm ci` filled it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TEST_CARD_NUMBERS, TEST_CARDS } from '../../device-sim/test-cards.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const consumerSource = join(repo, 'test', 'package', 'consumer');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const repoPackage = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};
/** What a machine without a C toolchain lacks; none of it may be on the install's PATH. */
const COMPILERS = ['make', 'cc', 'gcc', 'g++', 'c++', 'clang', 'python3'];
/** All the install and the installed CLI may find on PATH. */
const TOOLS = ['node', 'npm', 'npx', 'sh'];
const PREBUILT = process.platform === 'linux' && process.arch === 'x64';

const work = mkdtempSync(join(tmpdir(), 'tenkey-packed-'));
const consumer = join(work, 'consumer');
const toolbin = join(work, 'toolbin');
const tarball = join(work, `tenkey-${repoPackage.version}.tgz`);
let packedFiles: string[] = [];
let children: ChildProcess[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment minus what the surrounding `npm test` set for its own script (npm_*, INIT_CWD). */
function cleanEnv(path: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(npm_|INIT_CWD$)/i.test(key)) env[key] = value;
  env.PATH = path;
  return env;
}

function run(command: string, args: string[], cwd: string, path: string): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(path), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

function expectSuccess(what: string, result: Run): void {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
}

/** The first file named `name` on the test's own PATH. */
function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

/** The repository as a clean clone holds it (tracked and new files, nothing ignored), node_modules shared. */
async function copyRepository(to: string): Promise<void> {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repo, process.env.PATH ?? '');
  expectSuccess('git ls-files', listed);
  for (const file of listed.stdout.split('\0')) {
    if (file === '' || !existsSync(join(repo, file))) continue; // deleted in the work tree but not yet in git
    if (file.split('/')[0] === 'node_modules') continue; // a node_modules symlink is no ignored folder to git
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(repo, file), join(to, file));
  }
  symlinkSync(join(repo, 'node_modules'), join(to, 'node_modules'), 'dir');
}

/** `tenkey sim …` from the install in `dir`; resolves with the process and the first line it printed. */
async function startInstalledSim(
  dir: string,
  args: string[],
  nodeOptions: string[] = [],
): Promise<{ child: ChildProcess; firstLine: string; output: () => string }> {
  const bin = join(dir, 'node_modules', 'tenkey', 'bin', 'tenkey.cjs');
  const child = spawn(join(toolbin, 'node'), [...nodeOptions, bin, 'sim', ...args], { cwd: dir, env: cleanEnv(toolbin), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let all = '';
  child.stderr!.on('data', (b: Buffer) => (all += b.toString('utf8')));
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => (all += `${line}\n`));
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`tenkey sim exited ${String(code)} before printing its address: ${all}`);
  });
  const [firstLine] = (await Promise.race([once(lines, 'line'), exited])) as [string];
  return { child, firstLine, output: () => all };
}

beforeAll(async () => {
  // The tools a machine without a compiler has; the test fails at once if one is missing here.
  mkdirSync(toolbin);
  for (const tool of TOOLS) {
    const found = which(tool);
    if (found === undefined) throw new Error(`${tool} is not on PATH`);
    symlinkSync(found, join(toolbin, tool));
  }

  const source = join(work, 'source');
  await copyRepository(source);
  const packed = await run('npm', ['pack', '--pack-destination', work], source, process.env.PATH ?? '');
  expectSuccess('npm pack', packed);
  const listing = await run('tar', ['-tzf', tarball], work, process.env.PATH ?? '');
  expectSuccess('tar -tzf', listing);
  packedFiles = listing.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  rmSync(source, { recursive: true, force: true });

  await installConsumer(consumer, []);
}, 300_000);

/** A fresh project under `dir` with test/package/consumer/ in it, the tarball installed and its code compiled. */
async function installConsumer(dir: string, npmOptions: string[]): Promise<void> {
  cpSync(consumerSource, dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'tenkey-consumer', private: true, type: 'module' }, null, 2)}\n`);
  const installed = await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', ...npmOptions, tarball, `@types/node@${repoPackage.devDependencies['@types/node']}`],
    dir,
    toolbin,
  );
  expectSuccess(`npm install ${npmOptions.join(' ')} (no compiler on PATH)`, installed);
  // JavaScript for the run-time cases, whatever the type-check cases find (they report type errors themselves).
  expectSuccess('tsc --noCheck', await run(process.execPath, [tsc, '-p', 'tsconfig.nodenext.json', '--noCheck'], dir, toolbin));
}

/** One of consumer/src/*.ts, compiled, run by node in the project at `dir` with the restricted PATH. */
function runConsumerScript(dir: string, name: string, args: string[] = []): Promise<Run> {
  return run(join(toolbin, 'node'), [join('out', `${name}.js`), ...args], dir, toolbin);
}

/** The consumer in `dir` reads one TEST card from a fresh installed `tenkey sim` over TCP; what both printed. */
async function readCardOverTcp(dir: string): Promise<{ read: Run; simOutput: string }> {
  const sim = await startInstalledSim(dir, ['--listen', 'tcp://127.0.0.1:0', '--keys', `${TEST_CARDS.visa}<enter>1230<enter>`]);
  expect(sim.firstLine).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
  const read = await runConsumerScript(dir, 'read-card-over-tcp', [sim.firstLine]);
  sim.child.kill('SIGTERM');
  await once(sim.child, 'exit');
  return { read, simOutput: sim.output() };
}

afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children = [];
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it('holds the code, the prebuilt PTY addon, the linked documents and the license, and nothing of test/ or bench/', () => {
    for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'PROTOCOL.md', 'bridge/HTTP-API.md',
      'protocol/capture/CAPTURE-FORMAT.md', 'bin/tenkey.cjs', 'dist/cli/bundle/main.cjs', 'fixtures/keys/TEST-ONLY-bdk.json', 'demo-store/public/index.html']) {
      expect(packedFiles).toContain(file);
    }
    for (const entry of ['host-driver', 'protocol', 'device-sim', 'protocol/capture', 'bridge', 'testing', 'replay']) {
      expect(packedFiles).toContain(`dist/${entry}/index.js`);
      expect(packedFiles).toContain(`dist/${entry}/index.d.ts`);
    }
    if (PREBUILT) expect(packedFiles).toContain('prebuilds/linux-x64/tenkey.glibc.node');
    expect(packedFiles.filter((f) => /^(test|bench|scripts|native|build)\//.test(f))).toEqual([]);
    expect(packedFiles.filter((f) => /\.test\.|\.map$|(?<!\.d)\.ts$|^binding\.gyp$|^\.npmrc$/.test(f))).toEqual([]);
  });

  it("ships every file README.md links to (README's relative links resolve inside the package)", () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#:]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
    expect(links).toEqual(expect.arrayContaining(['PROTOCOL.md', 'bridge/HTTP-API.md', 'protocol/capture/CAPTURE-FORMAT.md', 'LICENSE']));
    // A folder link (api/) resolves when the package holds a file in it.
    const ships = (link: string): boolean => (link.endsWith('/') ? packedFiles.some((f) => f.startsWith(link)) : packedFiles.includes(link));
    expect(links.filter((link) => !ships(link))).toEqual([]);
  });

  it('runs no install script of its own: nothing to compile and nothing for npm 11 users to approve', () => {
    const manifest = JSON.parse(readFileSync(join(consumer, 'node_modules', 'tenkey', 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
      gypfile?: boolean;
    };
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?install$/.test(s))).toEqual([]);
    // npm would make up `node-gyp rebuild` for a package with binding.gyp and no install script.
    expect(manifest.gypfile).toBe(false);
    expect(packedFiles).not.toContain('binding.gyp');
  });

  it('was installed with no C toolchain on PATH', () => {
    const onPath = (name: string): boolean => existsSync(join(toolbin, name));
    expect(COMPILERS.filter(onPath)).toEqual([]);
    expect(TOOLS.every(onPath)).toBe(true);
    expect(existsSync(join(consumer, 'node_modules', 'tenkey', 'build'))).toBe(false);
  });
});

describe('a strict consumer (strict, skipLibCheck false) importing every entry point', () => {
  it.each(['tsconfig.nodenext.json', 'tsconfig.bundler.json'])('type-checks with %s', async (tsconfig) => {
    const checked = await run(process.execPath, [tsc, '-p', tsconfig, '--noEmit'], consumer, toolbin);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  }, 180_000);
});

describe('tenkey/testing, installed', () => {
  it('reads a card from the in-process keypad on virtual time and times an entry out at once', async () => {
    const read = await runConsumerScript(consumer, 'read-card-in-process');
    expect(read.stderr).toBe('');
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toEqual({
      card: { brand: 'visa', last: '111', keySerialNumber: expect.stringMatching(/^[0-9a-f]{24}$/) as string },
      outcome: 'approved',
      timeout: 'ENTRY_TIMEOUT',
    });
    expect(ALL_TEST_CARD_NUMBERS.filter((pan) => read.stdout.includes(pan))).toEqual([]);
  }, 60_000);
});

describe('the installed tenkey sim', () => {
  it('serves a keypad over TCP that the consumer reads a card from with openTenkey, no card number in any output', async () => {
    const { read, simOutput } = await readCardOverTcp(consumer);
    expect(read.stderr).toBe('');
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toEqual({ brand: 'visa', last: '111', keySerialNumber: expect.stringMatching(/^[0-9a-f]{24}$/) as string });
    const everything = `${read.stdout}${read.stderr}${simOutput}`;
    expect(ALL_TEST_CARD_NUMBERS.filter((pan) => everything.includes(pan))).toEqual([]);
  }, 60_000);

  it('works as well with every install script skipped (npm install --ignore-scripts: an npm 11 user who approves none)', async () => {
    // serialport's binding (the driver's one native part) ships its own prebuilt binaries: its install script only
    // looks for one, so skipping it costs nothing.
    const skipped = join(work, 'consumer-ignore-scripts');
    await installConsumer(skipped, ['--ignore-scripts']);
    const { read } = await readCardOverTcp(skipped);
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ brand: 'visa', last: '111' });
  }, 180_000);

  it.runIf(PREBUILT)('offers a PTY on linux x64 from the prebuilt addon', async () => {
    const spy = 'data:text/javascript,const open=process.dlopen;process.dlopen=function(m,f,...r){process.stderr.write("dlopen: "+f+"\\n");return open.call(this,m,f,...r)}';
    const sim = await startInstalledSim(consumer, [], ['--import', spy]);
    expect(sim.firstLine).toMatch(/^\/dev\/pts\/\d+$/);
    sim.child.kill('SIGTERM');
    await once(sim.child, 'exit');
    expect(sim.output()).toContain(`dlopen: ${join(consumer, 'node_modules', 'tenkey', 'prebuilds', 'linux-x64', 'tenkey.glibc.node')}`);
  }, 60_000);
});
