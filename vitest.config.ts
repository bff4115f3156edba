import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts', 'e2e/**/*.test.ts'],
    // Hardware simulators and real services make some tests take seconds; none should take minutes.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll's default of 1 s is too short on a loaded 2-core CI machine (a browser, a cluster
    // node); a poll that succeeds returns at once, so only a real failure waits the 10 s.
    expect: { poll: { timeout: 10_000 } },
    // Two cores: run test files in a few processes, not one per core thread.
    pool: 'forks',
    maxWorkers: 2,
  },
});
