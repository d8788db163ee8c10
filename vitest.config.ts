import { defineConfig } from 'vitest/config';

// Tests run in parallel processes; every server a test starts binds port 0 on loopback and is
// stopped by the test, so files never contend for fixed ports.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Most files wait on sockets, timers and child processes rather than burn CPU, so more
    // workers than cores cut the wall time (vitest's default on 2 cores is a single worker).
    maxWorkers: 4,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // A test that hangs must fail the run, not stall CI.
    teardownTimeout: 10_000,
    reporters: ['default'],
  },
});
