/**
 * A fleet night as a user runs it, under client load on two balancers: web-1 … web-4 behind
 * edge (weight 100) and core (weight 50) and in core's vServer group `api` on the same port,
 * keep-alive clients on both balancers' addresses, `drainctl run` spawned on a fleet workflow.
 * Each server is drained from all its attachments at once, so the access-log probe sees it go
 * quiet; no client request fails, and every weight comes back to what it was.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { LoadGenerator } from '#src/demo/load-generator.js';
import { emulatorPorts, setUpBalancerByHand } from '#support/balancer-by-hand.js';
import { runDrainctl } from '#support/cli-runner.js';
import { OpenApiClientClass, sdkConfig, slbCaller } from '#support/emulator-sdk.js';
import { FLEET } from './fleet-under-load.js';

const HEALTH = {
  enabled: true,
  type: 'http' as const,
  uri: '/healthz',
  intervalSeconds: 1,
  timeoutSeconds: 1,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};

const WORKFLOW = `name: fleet-two-balancers
region: cn-hangzhou
backends:
  instances: [${FLEET.join(', ')}]
rollout:
  maxUnavailable: 1
  minHealthy: 2
  order: name
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
  holdSeconds: 2
  max5xxRate: 0.05
  minRequests: 5
`;

let emu: Emulator;
let dir: string;
const lb = { edge: { id: '', address: '' }, core: { id: '', address: '' } };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drainctl-e2e-fleet-'));
  emu = await startEmulator({
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
  lb.edge = await setUpBalancerByHand(emu, {
    clientToken: 'e2e-edge',
    healthCheck: HEALTH,
    backends: FLEET.map((serverId) => ({ serverId, weight: 100 })),
  });
  lb.core = await setUpBalancerByHand(emu, {
    clientToken: 'e2e-core',
    healthCheck: HEALTH,
    backends: FLEET.map((serverId) => ({ serverId, weight: 50 })),
  });
  const slb = slbCaller(new OpenApiClientClass(sdkConfig(emu)), emu.region);
  await slb('CreateVServerGroup', {
    LoadBalancerId: lb.core.id,
    VServerGroupName: 'api',
    BackendServers: JSON.stringify(FLEET.map((ServerId) => ({ ServerId, Port: 8080, Weight: 30 }))),
  });
}, 60_000);

afterAll(async () => {
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function weights(): Promise<string[]> {
  const { loadBalancer, attachments } = emulatorPorts(emu);
  const found: string[] = [];
  for (const id of [lb.edge.id, lb.core.id]) {
    for (const b of await loadBalancer.listBackends(id))
      found.push(`${id} ${b.serverId} ${b.weight}`);
    for (const g of await attachments.vServerGroups(id)) {
      for (const m of g.members) found.push(`${g.name} ${m.serverId}:${m.port} ${m.weight}`);
    }
  }
  return found.sort();
}

function clients(address: string): LoadGenerator {
  return new LoadGenerator({
    hostname: 'www.example.com',
    port: 8080,
    resolve: async () => ({ address, ttlSeconds: 3600 }),
    ratePerSecond: 100,
    clients: 8,
    slow: { every: 5, suffix: '?delay_ms=150' },
    clock: systemClock,
    servedBy: (headers) => String(headers['x-served-by'] ?? '') || undefined,
  });
}

describe('a fleet night across two balancers under client load', () => {
  it('patches every server with 0 failed requests and restores every weight', async () => {
    const before = await weights();
    const workflow = join(dir, 'fleet.yaml');
    await writeFile(workflow, WORKFLOW);
    const loads = [clients(lb.edge.address), clients(lb.core.address)];
    for (const load of loads) load.start();
    await vi.waitFor(
      () => {
        for (const load of loads) expect(load.snapshot().ok).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 20 },
    );
    const cli = await runDrainctl(['run', workflow, '--yes'], {
      env: {
        DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
        ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
        ALIBABA_CLOUD_REGION_ID: emu.region,
        DRAINCTL_HOME: join(dir, 'home'),
        DRAINCTL_LOG_LEVEL: 'warn',
        EMU_STATE: emu.stateDir,
      },
      cwd: dir,
      timeoutMs: 240_000,
    });
    await systemClock.sleep(500);
    const [edge, core] = await Promise.all(loads.map((load) => load.stop()));
    expect(cli.code, cli.stderr.slice(-3000)).toBe(0);
    expect(edge?.ok).toBeGreaterThan(0);
    expect(core?.ok).toBeGreaterThan(0);
    expect(edge?.failed).toBe(0);
    expect(core?.failed).toBe(0);
    expect(await weights()).toEqual(before);
    const kernels = emu
      .state()
      .instances.filter((i) => (FLEET as readonly string[]).includes(i.id));
    expect(new Set(kernels.map((i) => i.kernel)).size).toBe(1);
  }, 300_000);
});
