import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts', 'e2e/**/*.test.ts'],
    // Hardware simulators and real services make some tests take seconds; none should take minutes.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: run test files in a few processes, not one per core thread.
    pool: 'forks',
    maxWorkers: 2,
  },
});
