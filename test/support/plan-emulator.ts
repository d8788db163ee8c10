/**
 * An emulator for the planner's integration tests (port 0, a temporary state directory) and
 * the environment that points drainctl at it.
 */
import { type Emulator, startEmulator } from '#mocks/index.js';
import { createWorld } from '#mocks/world/index.js';

export async function startPlanEmulator(): Promise<Emulator> {
  return startEmulator({
    port: 0,
    timings: { healthCheckScale: 0.1 },
    // The control plane's default world factory is wired on branch emu-api; until then the
    // simulated world of mocks/world is handed over here (same world either way).
    createWorld: ({ stateDir, dnsAddress }) => createWorld({ stateDir, dnsHost: dnsAddress }),
  });
}

/** What `drainctl` needs in its environment to talk to `emu` (as .env.example describes). */
export function emulatorEnv(emu: Emulator): Record<string, string> {
  return {
    DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
    ALIBABA_CLOUD_REGION_ID: emu.region,
    DRAINCTL_LOG_LEVEL: 'warn',
  };
}

/** The emulator's state as `GET /__emulator/state` answers it. */
export async function emulatorState(emu: Emulator): Promise<unknown> {
  const response = await fetch(`${emu.endpoint}/__emulator/state`);
  if (!response.ok) throw new Error(`GET /__emulator/state answered ${response.status}`);
  return response.json();
}
