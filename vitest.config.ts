import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A private TMPDIR per run, checked and removed at the end (test/helpers/private-tmp.ts).
    globalSetup: ['test/helpers/private-tmp.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests spawn real processes; two cores here, so keep the pool small.
    maxWorkers: 2,
  },
});
