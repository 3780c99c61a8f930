#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ and its entry bundled into one file (npm run build; shipped in
// the package; a clone builds it in the prepare script). Each verb's work is imported when that verb runs.
import module from 'node:module';

// Node 22.1+ keeps compiled code on disk between runs (a no-op where missing, as on Node 20).
module.enableCompileCache?.();

// A reader that goes away (`tenkey decode … | head`) is not an error: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const { main } = await import('../dist/cli/bundle/main.js');
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tenkey: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
