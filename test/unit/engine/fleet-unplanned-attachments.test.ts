/**
 * A fleet server may sit at weight 0 on a balancer the plan leaves alone (left as found). If
 * someone gives it weight there while the run has it out, it takes traffic again: the run must
 * neither drain it into that state nor patch its host, and the plan locks that balancer too.
 */
import { describe, expect, it } from 'vitest';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import { journal, fleetModel as setUp, WEB1 } from '#support/fleet-model.js';
import { runModel } from '#support/in-memory-runs.js';

describe('a fleet server at weight 0 on a balancer outside its plan', () => {
  it('is planned out of its serving attachment only, and that balancer is locked too', () => {
    const { plan } = setUp({ idleOn: true });
    const drain = plan.steps.find((s) => s.action === 'node.drain' && s.node === WEB1);
    expect(drain?.action === 'node.drain' && drain.params.attachments?.length).toBe(1);
    expect(plan.balancers?.map((lb) => lb.id)).toEqual(['lb-model', 'lb-x']);
  });

  it('is patched as usual while nobody touches lb-x', async () => {
    const { world, plan } = setUp({ idleOn: true });
    const result = await runModel(world, plan);
    expect(result !== 'crashed' && result.outcome).toBe('completed');
    expect(world.hosts.get(WEB1)?.patchedAt).toBeDefined();
    expect(world.balancers.get('lb-x')?.backends.get(WEB1)).toBe(0);
  });

  it('is not drained when someone gave it weight there after the plan was made', async () => {
    const { world, plan } = setUp({ idleOn: true });
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
    const { world, plan } = setUp({ idleOn: true });
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
