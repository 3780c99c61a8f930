import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // PTY and TCP end-to-end tests use real kernel objects; keep files isolated but allow parallel files.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
