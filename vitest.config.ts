import { defineConfig } from 'vitest/config';

// Unit and property tests sit beside the code (src/**/*.test.ts); end-to-end tests
// that start real master and agent processes live in test/ and run in forks so that
// a hung child never shares a worker with another file.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // End-to-end files mostly wait on real processes; three run at once on the 2-core machines.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default'],
  },
});
