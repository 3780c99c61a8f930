#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ (shipped in the package; a clone builds it in the prepare script).
import { main } from '../dist/cli/main.js';

// A reader that goes away (`tenkey decode … | head`) is not an error: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tenkey: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
