import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Whole runs (test/e2e, the engine's crash tests, the rehearsals) take a minute each but mostly
 * wait; started first, they overlap the hundreds of quick files instead of trailing after them.
 */
class LongRunsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (file: TestSpecification) =>
      /[\\/]test[\\/](e2e|integration[\\/](engine|rehearse))[\\/]/.test(file.moduleId) ? 0 : 1;
    return [...sorted].sort((a, b) => long(a) - long(b));
  }
}

// Tests run in parallel processes; every server a test starts binds port 0 on loopback and is
// stopped by the test, so files never contend for fixed ports.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI the tests spawn is the build: rebuilt first whenever the sources are newer.
    globalSetup: ['test/support/fresh-build.ts'],
    pool: 'forks',
    // Most files wait on sockets, timers and child processes rather than burn CPU (the whole
    // suite's CPU is about 680 s against 2,400 s of test time), so more workers than cores cut
    // the wall time; vitest's default on 2 cores is a single worker. docs/benchmarks.md.
    maxWorkers: 6,
    sequence: { sequencer: LongRunsFirst },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // A test that hangs must fail the run, not stall CI.
    teardownTimeout: 10_000,
    reporters: ['default'],
  },
});
