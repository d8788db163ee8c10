/**
 * When the failure policy's own cloud call fails (review finding 4): the node is still named,
 * with the weight it is really at; the run never returns while a sibling node's sequence runs.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import { formatReport } from '#src/engine/reporting/report.js';
import { DrainctlError } from '#src/errors/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { resumeModel, runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

const refused = () =>
  new DrainctlError('Forbidden.RAM', 'User not authorized to operate on the specified resource.');

/** The balancer refuses weight changes of `serverId` once `when()` says so. */
function refusing(serverId: string, when: () => boolean) {
  return (ports: EnginePorts): EnginePorts => ({
    ...ports,
    loadBalancer: {
      ...ports.loadBalancer,
      setBackendWeights: async (id, weights) => {
        if (when() && weights.some((w) => w.serverId === serverId)) throw refused();
        return ports.loadBalancer.setBackendWeights(id, weights);
      },
    },
  });
}

/** node-1 and node-2 drain together, node-3 after them. */
function twoThenOne(world: InMemoryWorld) {
  return buildPlan(world, {
    minHealthy: 1,
    maxUnavailable: 2,
    batches: [['i-node-1', 'i-node-2'], ['i-node-3']],
  });
}

describe('the failure policy cannot change the weight', () => {
  it('a throttled read during a rollback is tried again: the node goes back, nothing runs on after the run returned', async () => {
    const world = new InMemoryWorld(fleet(3));
    const plan = twoThenOne(world);
    let throttleNextRead = false;
    const result = await runModel(world, plan, {
      wrap: (ports) => ({
        ...ports,
        trafficProbes: async (node, config) => {
          const probe = await ports.trafficProbes(node, config);
          if (node !== 'i-node-1') return probe;
          return {
            ...probe,
            async waitForDrain() {
              await world.clock.sleep(5_000); // node-2 is drained and waiting by now
              throttleNextRead = true;
              throw new DrainctlError('PROBE_FAILED', 'access log of i-node-1 unreadable (EACCES)');
            },
          };
        },
        loadBalancer: {
          ...ports.loadBalancer,
          listBackends: async (id) => {
            if (throttleNextRead) {
              throttleNextRead = false;
              throw new DrainctlError(
                'Throttling.User',
                'Request was denied due to user flow control.',
              );
            }
            return ports.loadBalancer.listBackends(id);
          },
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    const linesAtReturn = world.journalLines.length;
    // A real wait: an orphaned sequence would keep journaling on the AutoClock after the return.
    await delay(200);
    expect(world.journalLines.length).toBe(linesAtReturn);
    expect(result.outcome).toBe('halted');
    expect(result.report.nodes.map((n) => [n.id, n.state])).toEqual([
      ['i-node-1', 'rolled-back'],
      ['i-node-2', 'done'],
      ['i-node-3', 'pending'],
    ]);
    expect(world.endState().weights).toEqual({ 'i-node-1': 100, 'i-node-2': 100, 'i-node-3': 100 });
  });

  it('the SLB refuses the pull to 0 mid-ramp: named as left out at the weight it serves at, run halted (exit 2)', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1, rampPercent: [50, 100] });
    const result = await runModel(world, plan, {
      wrap: refusing('i-node-1', () => world.backends.get('i-node-1') === 50),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.exitCode).toBe(2);
    expect(world.backends.get('i-node-1')).toBe(50);
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({
        id: 'i-node-1',
        reason: 'error',
        detail: expect.stringMatching(
          /could not take it back to weight 0: User not authorized .*; it is at weight 50 \(serving\)$/,
        ),
      }),
    ]);
  });

  it('a rollback refused for good, while a sibling is under way: named at weight 0, the sibling finishes first', async () => {
    const world = new InMemoryWorld(fleet(3));
    const plan = twoThenOne(world);
    let probeFailed = false;
    const result = await runModel(world, plan, {
      wrap: (ports) => {
        const inner = refusing('i-node-1', () => probeFailed)(ports);
        return {
          ...inner,
          trafficProbes: async (node, config) => {
            const probe = await ports.trafficProbes(node, config);
            if (node !== 'i-node-1') return probe;
            return {
              ...probe,
              async waitForDrain() {
                await world.clock.sleep(5_000);
                probeFailed = true;
                throw new DrainctlError('PROBE_FAILED', 'access log of i-node-1 unreadable');
              },
            };
          },
        };
      },
    });
    if (result === 'crashed') throw new Error('crashed');
    const linesAtReturn = world.journalLines.length;
    // A real wait: an orphaned sequence would keep journaling on the AutoClock after the return.
    await delay(200);
    expect(world.journalLines.length).toBe(linesAtReturn);
    expect(result.outcome).toBe('halted');
    expect(result.report.nodes.map((n) => [n.id, n.state])).toEqual([
      ['i-node-1', 'left-out'],
      ['i-node-2', 'done'],
      ['i-node-3', 'pending'],
    ]);
    expect(result.report.leftOut[0]?.detail).toMatch(
      /could not put it back to weight 100: User not authorized .*; it is at weight 0$/,
    );
    expect(world.backends.get('i-node-1')).toBe(0);
  });
});

describe('a run that fails mid-way', () => {
  it('names every node it began and did not finish, and says how to continue', async () => {
    const probe = new InMemoryWorld(fleet(2));
    await runModel(probe, buildPlan(probe, { minHealthy: 1, maxUnavailable: 1 }));
    const drainIntent = probe.journalLines
      .map((l) => JSON.parse(l) as { seq: number; type: string; op?: string })
      .find((e) => e.type === 'intent' && e.op === 'set-weight')?.seq;
    const world = new InMemoryWorld(fleet(2));
    const first = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      crashAfterSeq: drainIntent,
    });
    expect(first).toBe('crashed');
    // The resume cannot even read the balancer to reconcile the drain in doubt.
    const failing = await resumeModel(world, {
      wrap: (ports) => ({
        ...ports,
        loadBalancer: {
          ...ports.loadBalancer,
          listBackends: async () => {
            throw new DrainctlError(
              'ServiceUnavailable',
              'The request has failed due to a temporary failure of the server.',
            );
          },
        },
      }),
    });
    if (failing === 'crashed') throw new Error('crashed');
    expect(failing.outcome).toBe('failed');
    expect(failing.exitCode).toBe(1);
    // The drain's weight-0 change was sent and never confirmed: the live weight is in doubt.
    expect(failing.report.unfinished).toEqual([
      {
        id: 'i-node-1',
        name: 'web-1',
        state: 'draining',
        weight: 100,
        weightInFlight: { from: 100, to: 0 },
      },
    ]);
    const text = formatReport(failing.report).join('\n');
    expect(text).toContain(
      'NOT FINISHED (may be out of service):\n    web-1 (i-node-1): draining, weight 100→0 (change in flight, check the console)',
    );
    expect(text).toContain(
      'next: the run FAILED mid-way (not a refusal: nodes may be out of service); `drainctl resume r-model`',
    );
  });
});
