/**
 * workflows/rolling-patch-existing-slb.yaml on a balancer that already serves web-1 … web-4: two
 * servers per batch, the pairs of each group never out together, every kernel patched.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { createLogger } from '#src/log/index.js';
import { repoRoot, runDrainctl } from '#support/cli-runner.js';
import { type EmulatorProcess, startEmulatorProcess } from '#support/emulator-process.js';
import { clientsOfBalancer } from '#support/example-clients.js';

const FLEET = ['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-3', 'i-emu-web-4'];
let emulator: EmulatorProcess;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
});
afterAll(async () => {
  await emulator?.stop();
});

/** What the operator built by hand before: a balancer with a listener and the four servers. */
async function existingBalancer(): Promise<string> {
  const { loadBalancer } = createCloudPorts({
    region: 'cn-hangzhou',
    endpoint: emulator.endpoint,
    credentials: {
      accessKeyId: emulator.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? '',
      accessKeySecret: emulator.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? '',
    },
    clock: systemClock,
    logger: createLogger({ level: 'silent' }),
  });
  const lb = await loadBalancer.create({
    name: 'web-prod',
    addressType: 'intranet',
    tags: { app: 'web' },
    clientToken: 'by-hand',
  });
  await loadBalancer.ensureListener(lb.id, {
    protocol: 'tcp',
    port: 8080,
    backendPort: 8080,
    scheduler: 'wrr',
    healthCheck: {
      enabled: true,
      type: 'http',
      uri: '/healthz',
      intervalSeconds: 1,
      timeoutSeconds: 1,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    },
  });
  await loadBalancer.addBackends(
    lb.id,
    FLEET.map((serverId) => ({ serverId, weight: 100 })),
  );
  await loadBalancer.startListener(lb.id, 8080, 'tcp');
  return lb.id;
}

describe('workflows/rolling-patch-existing-slb.yaml', () => {
  it('patches four servers two at a time, group peers apart, all back at their weight', {
    timeout: 240_000,
  }, async () => {
    const id = await existingBalancer();
    const env = { ...emulator.env, LOAD_BALANCER_ID: id };
    const workflow = join(repoRoot, 'workflows', 'rolling-patch-existing-slb.yaml');
    const plan = await runDrainctl(['plan', workflow, '--json'], { cwd: emulator.dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    const batches = (
      JSON.parse(plan.stdout) as { batches: Array<{ nodes: string[] }> }
    ).batches.map((b) => b.nodes);
    expect(batches).toEqual([
      ['i-emu-web-1', 'i-emu-web-2'],
      ['i-emu-web-3', 'i-emu-web-4'],
    ]);

    // The ramps are judged on real requests: clients on the balancer, as in production.
    const clients = clientsOfBalancer(emulator, 40);
    const run = await runDrainctl(['run', workflow, '--yes', '--json'], {
      cwd: emulator.dir,
      env,
      timeoutMs: 200_000,
    }).finally(() => clients.stop());
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const state = await emulator.state();
    expect(state.loadBalancers[0]?.backends.every((b) => b.weight === 100)).toBe(true);
    expect(new Set(state.instances.map((i) => i.kernel))).toEqual(
      new Set(['3.10.0-1160.119.1.el7.x86_64']),
    );
  });
});
