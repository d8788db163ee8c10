/**
 * The emulated world the demo runs in: drainctl's own emulator (mocks/), started in-process on
 * loopback with a brisk pace, and the environment that points drainctl's adapters at it.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../../mocks/index.js';
import type { DrainctlEnvironment } from '../config/index.js';

/**
 * Servers close a keep-alive connection after 40 requests (nginx's keepalive_requests), so
 * clients that stay connected to a drained server move on within seconds; boots take about two
 * seconds. Everything else is the emulator's default.
 */
export const DEMO_TIMINGS = {
  keepaliveRequests: 40,
  stoppingSeconds: 0.3,
  bootSeconds: 1.5,
  appStartSeconds: 0.3,
  packageUpdateSeconds: 0.5,
} as const;

export interface DemoWorld {
  emulator: Emulator;
  /** drainctl's environment for this world (journals under `home`). */
  environment: DrainctlEnvironment;
  /** Values the demo workflow interpolates. */
  workflowEnv: Record<string, string | undefined>;
}

export async function startDemoWorld(home: string): Promise<DemoWorld> {
  const stateDir = join(home, 'emulator');
  // Each demo starts from the world before the migration; old access logs would only confuse.
  await rm(stateDir, { recursive: true, force: true });
  const emulator = await startEmulator({ port: 0, stateDir, timings: DEMO_TIMINGS });
  // The demo is its own process: its adapters take the emulator's local-only key pair from the
  // credential chain like any other run would.
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = emulator.credentials.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = emulator.credentials.accessKeySecret;
  delete process.env.ALIBABA_CLOUD_SECURITY_TOKEN;
  return {
    emulator,
    environment: {
      regionId: emulator.region,
      cloudEndpoint: new URL(emulator.endpoint),
      home,
      logLevel: undefined,
    },
    workflowEnv: { ...process.env, DRAINCTL_DEMO_STATE: emulator.stateDir },
  };
}
