/**
 * A serving server is never patched or rebooted (review finding 1): right before each patch
 * command and before the reboot, the node's live weight is read again — in a resumed run too.
 * If someone put it back into service meanwhile, its host is left alone and it is reported as
 * drift, at the weight they set.
 */
import { describe, expect, it } from 'vitest';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { resumeModel, runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

const OLD = '3.10.0-1160.el7.x86_64';

function entries(world: InMemoryWorld): Array<Record<string, unknown> & { seq: number }> {
  return world.journalLines.map((l) => JSON.parse(l));
}

/** Ports whose host calls first let `before` act on the world, and record the weight at reboot. */
function watching(
  world: InMemoryWorld,
  hooks: { afterCommand?: (id: string, script: string) => void },
  weightAtReboot: Record<string, number | undefined>,
) {
  return (ports: EnginePorts): EnginePorts => ({
    ...ports,
    host: (target) => {
      const host = ports.host(target);
      return {
        ...host,
        runCommand: async (id, request) => {
          const result = await host.runCommand(id, request);
          hooks.afterCommand?.(id, request.script);
          return result;
        },
        reboot: async (id) => {
          weightAtReboot[id] = world.backends.get(id);
          return host.reboot(id);
        },
      };
    },
  });
}

describe('a node put back into service by someone else is never patched or rebooted', () => {
  it('set back to 100 while its patch runs: no reboot, reported as drift at 100, run halts', async () => {
    const world = new InMemoryWorld(fleet(3));
    const atReboot: Record<string, number | undefined> = {};
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      wrap: watching(
        world,
        {
          // A deploy pipeline re-applies the weights while yum runs.
          afterCommand: (id, script) => {
            if (id === 'i-node-1' && script.includes('yum')) world.backends.set(id, 100);
          },
        },
        atReboot,
      ),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(atReboot).toEqual({});
    expect(world.hosts.get('i-node-1')?.rebooted).toBe(false);
    expect(result.outcome).toBe('halted');
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({
        id: 'i-node-1',
        reason: 'drift',
        detail: expect.stringContaining(
          'reboot not sent: web-1 (i-node-1) is back in service at weight 100 on lb-model (set by someone else)',
        ),
      }),
    ]);
    expect(world.backends.get('i-node-1')).toBe(100);
    // The rollout stopped there: nobody else was touched.
    expect(world.weightEvents.filter((e) => e.serverId !== 'i-node-1')).toEqual([]);
  });

  it('set back to 100 while it drained: the patch never starts', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const result = await runModel(world, plan, {
      wrap: (ports) => ({
        ...ports,
        trafficProbes: async (node, config) => {
          const probe = await ports.trafficProbes(node, config);
          return {
            ...probe,
            waitForDrain: async (options) => {
              const outcome = await probe.waitForDrain(options);
              world.backends.set(node, 100); // someone puts it back as it drains
              return outcome;
            },
          };
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(entries(world).some((e) => e.op === 'run-command')).toBe(false);
    expect(world.endState().kernels['i-node-1']).toBe(OLD);
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({
        id: 'i-node-1',
        reason: 'drift',
        detail: expect.stringContaining('patch not started'),
      }),
    ]);
  });

  it('crash during the patch, put back to 100 by hand, then resume: no reboot', async () => {
    const probe = new InMemoryWorld(fleet(3));
    await runModel(probe, buildPlan(probe, { minHealthy: 1, maxUnavailable: 1 }));
    const patchIntent = entries(probe).find(
      (e) => e.type === 'intent' && e.op === 'run-command' && e.node === 'i-node-1',
    )?.seq;

    const world = new InMemoryWorld(fleet(3));
    const first = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      crashAfterSeq: patchIntent,
    });
    expect(first).toBe('crashed');
    world.backends.set('i-node-1', 100); // "put it back, we'll look in the morning"
    const resumed = await resumeModel(world);
    if (resumed === 'crashed') throw new Error('crashed');
    expect(world.hosts.get('i-node-1')?.rebooted).toBe(false);
    expect(entries(world).some((e) => e.type === 'intent' && e.op === 'reboot')).toBe(false);
    expect(resumed.report.leftOut.map((n) => [n.id, n.reason])).toEqual([['i-node-1', 'drift']]);
    expect(world.backends.get('i-node-1')).toBe(100);
  });
});
