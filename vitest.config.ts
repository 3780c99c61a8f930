import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A state folder of its own for each test file (keypad counters, the store's accepted KSNs).
    setupFiles: ['test/setup/state-dir.ts'],
    // PTY and TCP end-to-end tests hold real kernel objects: separate processes per file keep them apart.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The JSON report is what .ci/run counts (CI reads a plain "N passed, N failed" line, not vitest's summary).
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
