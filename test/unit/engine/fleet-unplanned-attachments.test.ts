/**
 * A fleet server may sit at weight 0 on a balancer the plan leaves alone (left as found). If
 * someone gives it weight there while the run has it out, it takes traffic again: the run must
 * neither drain it into that state nor patch its host, and the plan locks that balancer too.
 */
import { describe, expect, it } from 'vitest';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import { sha256Hex } from '#src/engine/sha256.js';
import { type ObservedFleet, type Plan, planFleetRollout } from '#src/plan/index.js';
import { isFleetWorkflow, parseAnyWorkflow } from '#src/workflow/index.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, type ModelNode } from '#support/in-memory-world.js';
import { OBSERVED_AT } from '#support/observed-inventory.js';

const WEB1 = 'i-emu-web-1';
const WORKFLOW = `name: night
region: cn-hangzhou
backends:
  instances: [${WEB1}, i-emu-web-2]
rollout:
  maxUnavailable: 1
  minHealthy: 1
drain:
  probe: { kind: none, waitSeconds: 0 }
  timeoutSeconds: 5
patch:
  commands: ['yum update kernel -y']
  reboot: false
  verify: false
health:
  checks: [{ type: tcp, port: 8080 }]
restore:
  rampPercent: [100]
  holdSeconds: 0
`;

function server(n: number): ModelNode {
  return {
    id: `i-emu-web-${n}`,
    name: `web-${n}`,
    ip: `10.0.0.${10 + n}`,
    weight: 100,
    kernel: '3.10.0-1160.el7.x86_64',
    availableKernel: '3.10.0-1160.119.1.el7.x86_64',
  };
}

/** web-1 and web-2 serve on the model's balancer; web-1 sits at weight 0 on lb-x. */
function setUp(): { world: InMemoryWorld; plan: Plan } {
  const world = new InMemoryWorld([server(1), server(2)]);
  world.balancers.set('lb-x', {
    id: 'lb-x',
    name: 'x',
    address: '10.0.2.1',
    addressType: 'intranet',
    tags: new Map(),
    listeners: [{ port: 80, protocol: 'tcp' }],
    backends: new Map([
      [WEB1, 0],
      ['i-other-1', 100],
    ]),
  });
  const { spec, source } = parseAnyWorkflow({ file: 'night.yaml', text: WORKFLOW }, {});
  if (!isFleetWorkflow(spec)) throw new Error('not a fleet workflow');
  const observed: ObservedFleet = {
    observedAt: OBSERVED_AT,
    region: 'cn-hangzhou',
    instances: world.nodes.map((node) => ({
      id: node.id,
      name: node.name,
      status: 'Running',
      privateIp: node.ip,
      tags: {},
    })),
    balancers: [...world.balancers.values()].map((lb) => ({
      id: lb.id,
      name: lb.name,
      address: lb.address,
      tags: {},
      backends: [...lb.backends].map(([serverId, weight]) => ({ serverId, weight, type: 'ecs' })),
      vServerGroups: [],
      masterSlaveGroups: [],
    })),
  };
  return { world, plan: planFleetRollout(spec, observed, source, sha256Hex) };
}

const journal = (world: InMemoryWorld) =>
  world.journalLines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('a fleet server at weight 0 on a balancer outside its plan', () => {
  it('is planned out of its serving attachment only, and that balancer is locked too', () => {
    const { plan } = setUp();
    const drain = plan.steps.find((s) => s.action === 'node.drain' && s.node === WEB1);
    expect(drain?.action === 'node.drain' && drain.params.attachments?.length).toBe(1);
    expect(plan.balancers?.map((lb) => lb.id)).toEqual(['lb-model', 'lb-x']);
  });

  it('is patched as usual while nobody touches lb-x', async () => {
    const { world, plan } = setUp();
    const result = await runModel(world, plan);
    expect(result !== 'crashed' && result.outcome).toBe('completed');
    expect(world.hosts.get(WEB1)?.patchedAt).toBeDefined();
    expect(world.balancers.get('lb-x')?.backends.get(WEB1)).toBe(0);
  });

  it('is not drained when someone gave it weight there after the plan was made', async () => {
    const { world, plan } = setUp();
    world.balancers.get('lb-x')?.backends.set(WEB1, 50);
    const result = await runModel(world, plan);
    expect(result).not.toBe('crashed');
    const entries = journal(world);
    expect(entries.some((e) => e.type === 'intent' && e.node === WEB1)).toBe(false);
    const failedDrain = entries.find(
      (e) => e.type === 'step' && e.node === WEB1 && e.action === 'node.drain',
    );
    expect(failedDrain?.status).toBe('failed');
    expect(String(failedDrain?.detail)).toContain('x (lb-x), default server group at 50');
    expect(world.hosts.get(WEB1)?.patchedAt).toBeUndefined();
  });

  it('is not patched when someone gives it weight there while it drains', async () => {
    const { world, plan } = setUp();
    const wrap = (ports: EnginePorts): EnginePorts => ({
      ...ports,
      loadBalancer: {
        ...ports.loadBalancer,
        async setBackendWeights(id, weights) {
          await ports.loadBalancer.setBackendWeights(id, weights);
          // A colleague puts web-1 into lb-x right after the run took it out of the model's.
          if (weights.some((w) => w.serverId === WEB1 && w.weight === 0))
            world.balancers.get('lb-x')?.backends.set(WEB1, 50);
        },
      },
    });
    const result = await runModel(world, plan, { wrap });
    expect(result).not.toBe('crashed');
    const entries = journal(world);
    expect(
      entries.some((e) => e.type === 'intent' && e.node === WEB1 && e.op === 'run-command'),
    ).toBe(false);
    expect(world.hosts.get(WEB1)?.patchedAt).toBeUndefined();
    const state = entries.filter((e) => e.type === 'node-state' && e.node === WEB1).at(-1);
    expect(String(state?.detail ?? state?.reason)).toContain(
      'x (lb-x), default server group at 50',
    );
  });
});
