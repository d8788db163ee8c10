/**
 * Run before every test file (vitest `setupFiles`). Files share worker processes and their
 * module cache (`isolate: false` in vitest.config.ts): what one file leaves in process-wide
 * state must not reach the next. The environment goes back to what the worker started with,
 * and the secrets a file registered are forgotten (one file's secret `web` would mask
 * `i-web-1` in the next file's output).
 */
import { forgetRegisteredSecrets } from '#src/log/index.js';

const STARTING_ENV = Symbol.for('drainctl.test.starting-env');
const worker = globalThis as { [STARTING_ENV]?: Record<string, string | undefined> };
worker[STARTING_ENV] ??= { ...process.env };
const starting = worker[STARTING_ENV];
/** vitest's own variables (VITEST_POOL_ID, …) are set afresh for each file: left as they are. */
const runnerOwn = (name: string) => name.startsWith('VITEST') || name.startsWith('VITE_');
for (const name of Object.keys(process.env)) {
  if (!runnerOwn(name) && !(name in starting)) delete process.env[name];
}
for (const [name, value] of Object.entries(starting)) {
  if (!runnerOwn(name) && value !== undefined) process.env[name] = value;
}

forgetRegisteredSecrets();
