/**
 * An emulator for one test file plus drainctl's Alibaba Cloud adapters pointed at it over HTTP,
 * with tiny retry budgets and waits, and the log lines the adapters wrote.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { type Emulator, type StartEmulatorOptions, startEmulator } from '#mocks/index.js';
import { type AliyunClients, createAliyunClients } from '#src/adapters/aliyun/clients.js';
import type { AliyunOptions } from '#src/adapters/aliyun/index.js';
import { type CloudPorts, createCloudPorts } from '#src/adapters/index.js';
import { createLogger, type Logger } from '#src/log/index.js';

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface AliyunTestEnv {
  emu: Emulator;
  ports: CloudPorts;
  clients: AliyunClients;
  logs: LogLine[];
  logger: Logger;
  /** Options the ports were built with (to build more, e.g. with other credentials). */
  options: AliyunOptions;
}

/** Small enough that a retry test takes milliseconds, large enough to survive a loaded box. */
export const TEST_RETRY = {
  budgetOverride: { baseDelayMs: 10, maxDelayMs: 50, maxElapsedMs: 5_000 },
};

export function captureLogs(): { logger: Logger; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    pretty: false,
    destination: new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString().split('\n')) {
          if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
        }
        done();
      },
    }),
  });
  return { logger, logs };
}

export async function startAliyunEnv(
  emulatorOptions: StartEmulatorOptions = {},
  adapterOptions: Partial<AliyunOptions> = {},
): Promise<AliyunTestEnv> {
  const emu = await startEmulator({
    port: 0,
    ...emulatorOptions,
    // Health checks every 100 ms instead of 2 s; the API still reports the configured seconds.
    timings: {
      healthCheckScale: 0.05,
      stoppingSeconds: 0.1,
      bootSeconds: 0.3,
      appStartSeconds: 0.1,
      ...emulatorOptions.timings,
    },
  });
  const { logger, logs } = captureLogs();
  const options: AliyunOptions = {
    region: emu.region,
    endpoint: emu.endpoint,
    credentials: emu.credentials,
    clock: (await import('#src/adapters/local/system-clock.js')).systemClock,
    logger,
    retry: TEST_RETRY,
    waits: {
      slb: { pollIntervalMs: 20, activeTimeoutMs: 5_000, listenerTimeoutMs: 5_000 },
      ecs: { commandPollMs: 20, commandPollMaxMs: 100, statusPollMs: 20, rebootObserveMs: 2_000 },
    },
    ...adapterOptions,
  };
  return {
    emu,
    ports: createCloudPorts(options),
    clients: createAliyunClients(options),
    logs,
    logger,
    options,
  };
}

/** Starts the environment before the file's tests and closes it after them. */
export function useAliyunEnv(
  emulatorOptions: StartEmulatorOptions = {},
  adapterOptions: Partial<AliyunOptions> = {},
): () => AliyunTestEnv {
  let env: AliyunTestEnv | undefined;
  beforeAll(async () => {
    env = await startAliyunEnv(emulatorOptions, adapterOptions);
  });
  afterAll(async () => {
    await env?.emu.close();
  });
  return () => {
    if (env === undefined) throw new Error('the emulator is not started (use inside a test)');
    return env;
  };
}
