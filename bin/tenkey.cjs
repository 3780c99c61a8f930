#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ and its entry bundled into one CommonJS file (npm run build;
// shipped in the package; a clone builds it in the prepare script). CommonJS because Node's ES module loader alone
// costs about a third of `node -e 0` at start-up; each verb's work is still imported (ESM) when that verb runs.
'use strict';
const { enableCompileCache } = require('node:module');

// Node 22.1+ keeps compiled code on disk between runs (a no-op where missing, as on Node 20).
enableCompileCache?.();

// A reader that goes away (`tenkey decode … | head`) is not an error: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const { main } = require('../dist/cli/bundle/main.cjs');
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tenkey: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
