/**
 * observeInventory against the emulator through the real adapters: what a plan is made from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '#mocks/index.js';
import { type CloudPorts, createCloudPorts } from '#src/adapters/index.js';
import { observeInventory } from '#src/app/observe-inventory.js';
import { sha256Hex } from '#src/engine/sha256.js';
import { InvalidInputError } from '#src/errors/index.js';
import { balancerTags, planRollout } from '#src/plan/index.js';
import { emulatorState, startPlanEmulator } from '#support/plan-emulator.js';
import { workflowFrom } from '#support/workflows.js';

let emu: Emulator;
let ports: CloudPorts;
const clock = { now: () => Date.parse('2026-11-21T02:00:00Z') };

beforeAll(async () => {
  emu = await startPlanEmulator();
  ports = createCloudPorts({
    region: emu.region,
    endpoint: emu.endpoint,
    credentials: emu.credentials,
  });
});
afterAll(async () => {
  await emu?.close();
});

const workflow = (loadBalancer: string, backends = 'backends: { tags: { app: web } }') =>
  workflowFrom(`name: observe
region: cn-hangzhou
${loadBalancer}
${backends}
drain: { probe: { kind: none, waitSeconds: 1 }, timeoutSeconds: 60 }
dns: { domain: example.com, record: www }
`).spec;

describe('observeInventory', () => {
  it('reads instances, the DNS record, its zone minimum TTL and name servers; no balancer yet', async () => {
    const before = await emulatorState(emu);
    const spec = workflow(
      'loadBalancer: { create: { name: obs-slb }, listeners: [{ protocol: tcp, port: 8080, backendPort: 8080 }] }',
    );
    const inventory = await observeInventory(spec, { ...ports, clock });
    expect(inventory.observedAt).toBe('2026-11-21T02:00:00.000Z');
    expect(inventory.region).toBe('cn-hangzhou');
    expect(inventory.loadBalancer).toBeUndefined();
    expect(inventory.instances.map((instance) => instance.id).sort()).toEqual([
      'i-emu-web-1',
      'i-emu-web-2',
      'i-emu-web-3',
      'i-emu-web-4',
    ]);
    expect(inventory.instances[0]).toMatchObject({ status: 'Running', tags: { app: 'web' } });
    expect(inventory.dns?.record).toMatchObject({
      domain: 'example.com',
      rr: 'www',
      type: 'A',
      ttl: 10,
    });
    expect(inventory.dns?.minimumTtl).toBe(1);
    expect(inventory.dns?.nameServers.length).toBeGreaterThan(0);
    expect(await emulatorState(emu)).toEqual(before);
  });

  it('describes instances named by id, and an unknown balancer id as absent', async () => {
    const spec = workflow(
      'loadBalancer: { id: lb-doesnotexist }',
      'backends: { instances: [i-emu-web-2, i-emu-web-3] }',
    );
    const inventory = await observeInventory(spec, ports);
    expect(inventory.loadBalancer).toBeUndefined();
    expect(inventory.instances.map((instance) => instance.id).sort()).toEqual([
      'i-emu-web-2',
      'i-emu-web-3',
    ]);
  });

  it('finds a balancer it created by name and tags, with listeners, backends and health', async () => {
    const spec = workflow(
      'loadBalancer: { create: { name: tagged-slb, tags: { team: ops } }, listeners: [{ protocol: tcp, port: 8080, backendPort: 8080 }] }',
    );
    // Same name without drainctl's tags: someone else's balancer, never picked up.
    await ports.loadBalancer.create({
      name: 'tagged-slb',
      addressType: 'intranet',
      tags: {},
      clientToken: 'obs-other',
    });
    expect((await observeInventory(spec, ports)).loadBalancer).toBeUndefined();

    const ours = await ports.loadBalancer.create({
      name: 'tagged-slb',
      addressType: 'intranet',
      tags: balancerTags({ name: 'tagged-slb', addressType: 'intranet', tags: { team: 'ops' } }),
      clientToken: 'obs-ours',
    });
    await ports.loadBalancer.ensureListener(ours.id, {
      protocol: 'tcp',
      port: 8080,
      backendPort: 8080,
      scheduler: 'wrr',
      healthCheck: {
        enabled: true,
        type: 'tcp',
        intervalSeconds: 2,
        timeoutSeconds: 2,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
    });
    await ports.loadBalancer.addBackends(ours.id, [{ serverId: 'i-emu-web-1', weight: 70 }]);
    const inventory = await observeInventory(spec, ports);
    expect(inventory.loadBalancer).toMatchObject({
      id: ours.id,
      name: 'tagged-slb',
      tags: { team: 'ops', 'managed-by': 'drainctl' },
      backends: [{ serverId: 'i-emu-web-1', weight: 70 }],
      listenerDetails: [{ protocol: 'tcp', port: 8080, backendPort: 8080, status: 'stopped' }],
    });
    expect(Array.isArray(inventory.loadBalancer?.health)).toBe(true);

    // A second balancer with the same name and tags makes the choice ambiguous: refuse.
    await ports.loadBalancer.create({
      name: 'tagged-slb',
      addressType: 'intranet',
      tags: balancerTags({ name: 'tagged-slb', addressType: 'intranet', tags: { team: 'ops' } }),
      clientToken: 'obs-twin',
    });
    const error = await observeInventory(spec, ports, { file: 'w.yaml' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ path: 'loadBalancer.create.name', file: 'w.yaml' });
  });

  it('reads the weights runs saved on the balancer (its tags), and the planner brings a server found at 0 back to it', async () => {
    const lb = await ports.loadBalancer.create({
      name: 'saved-slb',
      addressType: 'intranet',
      tags: {},
      clientToken: 'obs-saved',
    });
    await ports.loadBalancer.addBackends(lb.id, [
      { serverId: 'i-emu-web-1', weight: 0 },
      { serverId: 'i-emu-web-2', weight: 100 },
    ]);
    await ports.loadBalancer.setTags(lb.id, {
      'drainctl-weight-i-emu-web-1': '90;run=r-20261121-020000-1a2b;at=2026-11-21T02:00:01.000Z',
    });
    const { spec, source } = workflowFrom(`name: observe
region: cn-hangzhou
loadBalancer: { id: ${lb.id} }
backends: { instances: [i-emu-web-1, i-emu-web-2] }
rollout: { minHealthy: 0 }
drain: { probe: { kind: none, waitSeconds: 1 }, timeoutSeconds: 60 }
health: { checks: [{ type: tcp, port: 8080 }] }
`);
    const inventory = await observeInventory(spec, ports);
    expect(inventory.loadBalancer?.tags).toEqual({
      'drainctl-weight-i-emu-web-1': '90;run=r-20261121-020000-1a2b;at=2026-11-21T02:00:01.000Z',
    });
    const plan = planRollout(spec, inventory, source, sha256Hex);
    expect(plan.nodes.find((n) => n.id === 'i-emu-web-1')?.atZero).toEqual({
      action: 'restore',
      weight: 90,
      from: 'saved',
      saved: { weight: 90, runId: 'r-20261121-020000-1a2b', at: '2026-11-21T02:00:01.000Z' },
    });
  });
});
