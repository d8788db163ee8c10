/**
 * A whole rollout as a user runs it, under client load: an emulator with web-1 … web-4 behind
 * an existing TCP balancer, keep-alive clients hitting the balancer, and `drainctl run` spawned
 * as a real process on a four-node workflow. What the clients saw is the test's evidence.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { LoadGenerator, type LoadStats } from '#src/demo/load-generator.js';
import { setUpBalancerByHand } from '#support/balancer-by-hand.js';
import { type CliRun, runDrainctl } from '#support/cli-runner.js';

export const FLEET = ['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-3', 'i-emu-web-4'] as const;

/** Short but honest timings: a real drain probe on the access logs, a real ramp with holds. */
export const FLEET_WORKFLOW = `name: fleet-under-load
region: cn-hangzhou
loadBalancer:
  id: \${LOAD_BALANCER_ID}
backends:
  instances: [${FLEET.join(', ')}]
rollout:
  maxUnavailable: 1
  minHealthy: 3
  order: name
  stopOnFailure: true
drain:
  probe:
    kind: access-log
    source: local
    path: \${EMU_STATE}/instances/{instanceId}/access.log
    format: combined
  quietSeconds: 2
  timeoutSeconds: 60
  onTimeout: halt
patch:
  commands: ['yum update kernel -y']
  reboot: true
  rebootTimeoutSeconds: 30
  verify: { command: uname -r, expect: changed }
health:
  checks: [{ type: http, port: 8080, path: /healthz }]
  consecutiveSuccesses: 2
  intervalSeconds: 1
  timeoutSeconds: 8
restore:
  rampPercent: [10, 100]
  # At 10 % a server gets a few requests a second: 4 s gathers the 5 a judgement needs even on
  # a loaded CI machine (with fewer, the hold watches on for them, up to extendSeconds).
  holdSeconds: 4
  max5xxRate: 0.05
  minRequests: 5
`;

export interface FleetUnderLoad {
  emu: Emulator;
  loadBalancerId: string;
  /** Start the clients, run `drainctl run --yes --json`, stop the clients a moment later. */
  run(): Promise<{ cli: CliRun; load: LoadStats; report: RunJson }>;
  close(): Promise<void>;
}

export interface RunJson {
  runId: string;
  outcome: string;
  exitCode: number;
  report: {
    nodes: Array<{ id: string; name: string; state: string; reason?: string; detail?: string }>;
    leftOut: Array<{ id: string; name: string; reason: string; detail: string }>;
    haltReason?: string;
  };
}

/** @param workflowText the workflow to run (default FLEET_WORKFLOW) */
export async function startFleetUnderLoad(workflowText = FLEET_WORKFLOW): Promise<FleetUnderLoad> {
  const dir = await mkdtemp(join(tmpdir(), 'drainctl-e2e-'));
  const emu = await startEmulator({
    port: 0,
    stateDir: join(dir, 'emulator'),
    timings: {
      keepaliveRequests: 30,
      stoppingSeconds: 0.2,
      bootSeconds: 0.8,
      appStartSeconds: 0.2,
      packageUpdateSeconds: 0.2,
    },
  });
  const lb = await setUpBalancerByHand(emu, {
    clientToken: 'e2e-fleet-under-load',
    healthCheck: {
      enabled: true,
      type: 'http',
      uri: '/healthz',
      intervalSeconds: 1,
      timeoutSeconds: 1,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    },
    backends: FLEET.map((serverId) => ({ serverId, weight: 100 })),
  });
  const workflow = join(dir, 'fleet.yaml');
  await writeFile(workflow, workflowText);
  const env = {
    DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
    ALIBABA_CLOUD_REGION_ID: emu.region,
    DRAINCTL_HOME: join(dir, 'home'),
    DRAINCTL_LOG_LEVEL: 'warn',
    LOAD_BALANCER_ID: lb.id,
    EMU_STATE: emu.stateDir,
  };
  return {
    emu,
    loadBalancerId: lb.id,
    async run() {
      const load = new LoadGenerator({
        hostname: 'www.example.com',
        port: 8080,
        // Clients reach the balancer's address (as after a DNS cutover).
        resolve: async () => ({ address: lb.address, ttlSeconds: 3600 }),
        ratePerSecond: 200,
        clients: 16,
        slow: { every: 5, suffix: '?delay_ms=150' },
        clock: systemClock,
        servedBy: (headers) => String(headers['x-served-by'] ?? '') || undefined,
      });
      load.start();
      // The clients are answered before the run starts, so what they see spans all of it.
      await vi.waitFor(() => expect(load.snapshot().ok).toBeGreaterThan(0), {
        timeout: 10_000,
        interval: 20,
      });
      const cli = await runDrainctl(['run', workflow, '--yes', '--json'], {
        env,
        cwd: dir,
        timeoutMs: 150_000,
      });
      // A real wait: half a second more of load on the fleet as the run left it.
      await systemClock.sleep(500);
      const stats = await load.stop();
      let report: RunJson;
      try {
        report = JSON.parse(cli.stdout) as RunJson;
      } catch {
        throw new Error(
          `drainctl run printed no JSON report (exit ${cli.code}):\n${cli.stderr.slice(-3000)}`,
        );
      }
      return { cli, load: stats, report };
    },
    async close() {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Weight and kernel of every fleet node, from the emulator's ground truth. */
export function truth(emu: Emulator): Map<string, { weight: number | undefined; kernel: string }> {
  const state = emu.state();
  const backends = state.loadBalancers[0]?.backends ?? [];
  return new Map(
    FLEET.map((id) => [
      id,
      {
        weight: backends.find((b) => b.serverId === id)?.weight,
        kernel: state.instances.find((i) => i.id === id)?.kernel ?? '?',
      },
    ]),
  );
}
