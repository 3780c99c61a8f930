/**
 * `npm run build`'s second step: the CLI's entry as one file (dist/cli/bundle/main.cjs), so that `tenkey --help` and
 * `tenkey decode` start near Node's own start-up time instead of resolving and compiling dozens of small modules
 * (measured by bench/cases/cli-startup.ts). Input is tsc's output in dist/, so the bundle runs exactly the compiled
 * code, and its source maps lead back to the TypeScript sources through tsc's maps.
 *
 * Bundled as one CommonJS file (Node's ES module loader alone costs about a third of `node -e 0`): cli/main.ts with
 * every verb's registration and commander, and the work of the verbs that only read and convert captures (decode,
 * capture), whose module bodies run only when those verbs do. Every other verb's work stays the
 * unbundled module in dist/ that its action imports: those reach the native PTY addon, serialport, the demo store's
 * static files (found from import.meta.url) and the library's own module instances, none of which belongs in a copy.
 * The library entry points (package.json "exports") are never bundled.
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(root, 'dist/cli/bundle');
/** Verb implementations bundled in (dist paths; their module bodies run when the verb does); see above for why only these. */
const BUNDLED_WORK = new Set(['dist/cli/commands/decode.js', 'dist/cli/commands/capture.js'].map((p) => resolve(root, p)));

if (!existsSync(resolve(root, 'dist/cli/main.js'))) throw new Error('bundle-cli: no dist/cli/main.js: run tsc -p tsconfig.build.json first');
rmSync(outdir, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/cli/main.js' },
  outdir,
  bundle: true,
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'inline',
  logLevel: 'warning',
  // commander is CommonJS: its require() of Node's built-in modules needs a require in an ES module.
  plugins: [{
    // commander requires node:child_process at load for executable sub-commands, which tenkey has none of; loading
    // Node's child_process (with net, dgram, …) is a few percent of Node's own start-up, so it waits for first use.
    name: 'child-process-on-first-use',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (
        /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'on-first-use' } : undefined
      ));
      esbuild.onLoad({ filter: /.*/, namespace: 'on-first-use' }, () => ({
        contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
        loader: 'js',
      }));
    },
  }, {
    name: 'verb-work-stays-in-dist',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const target = resolve(args.resolveDir, args.path);
        if (BUNDLED_WORK.has(target)) return undefined;
        if (!existsSync(target)) return { errors: [{ text: `${args.path} (imported by ${relative(root, args.importer)}) does not exist` }] };
        // Imported at run time from the bundle's folder: the path is rewritten relative to it.
        const fromBundle = relative(outdir, target);
        return { path: fromBundle.startsWith('.') ? fromBundle : `./${fromBundle}`, external: true };
      });
    },
  }],
});
