/**
 * The case reconcile exists for: a mutation reached the cloud (weight set, command run, reboot
 * sent), then the process died before its result was journaled. The other crash tests kill the
 * process right after a journal entry is durable, so "after the intent" there always means
 * "before the call was sent". Here the process dies right after the k-th mutating call returned,
 * for every k, and `resume` must reach the end state of an uninterrupted run.
 */
import { describe, expect, it } from 'vitest';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import { startRun } from '#src/engine/lifecycle/runner.js';
import { buildPlan, fleet, type PlanOptions } from '#support/hand-built-plans.js';
import { resumeModel, runModel, silent } from '#support/in-memory-runs.js';
import { Incarnation, InMemoryWorld, noFaults, SimulatedCrash } from '#support/in-memory-world.js';

/** Ports whose k-th mutating call lands, then the process dies before it can journal it. */
function crashingAfterCall(ports: EnginePorts, incarnation: Incarnation, k: number): EnginePorts {
  let calls = 0;
  const after = async <T>(call: Promise<T>): Promise<T> => {
    const value = await call;
    calls += 1;
    if (calls === k) {
      incarnation.dead = true;
      throw new SimulatedCrash();
    }
    return value;
  };
  return {
    ...ports,
    loadBalancer: {
      ...ports.loadBalancer,
      setBackendWeights: (id, weights) => after(ports.loadBalancer.setBackendWeights(id, weights)),
      // The weight a node comes back to, saved before its drain and removed after its restore.
      setTags: (id, tags) => after(ports.loadBalancer.setTags(id, tags)),
      removeTags: (id, keys) => after(ports.loadBalancer.removeTags(id, keys)),
    },
    host: (target) => {
      const host = ports.host(target);
      return {
        ...host,
        runCommand: (id, request) => after(host.runCommand(id, request)),
        reboot: (id) => after(host.reboot(id)),
      };
    },
  };
}

async function runCrashingAfterCall(world: InMemoryWorld, options: PlanOptions, k: number) {
  const incarnation = new Incarnation();
  try {
    return await startRun(buildPlan(world, options), {
      home: '/nonexistent/drainctl-model-home',
      runId: 'r-model',
      locking: false,
      logger: silent,
      abortPollMs: 3_600_000,
      ports: crashingAfterCall(world.ports(incarnation), incarnation, k),
      store: world.journalStore(incarnation),
    });
  } catch (error) {
    if (incarnation.dead) return 'crashed' as const;
    throw error;
  }
}

describe('a crash after a mutation landed and before its result was journaled', () => {
  const cases: Array<[string, PlanOptions]> = [
    ['one at a time', { minHealthy: 1, maxUnavailable: 1 }],
    [
      'a batch of two',
      { minHealthy: 1, maxUnavailable: 2, batches: [['i-node-1', 'i-node-2'], ['i-node-3']] },
    ],
  ];
  for (const [name, options] of cases) {
    it(`${name}: resume reaches the uninterrupted end state after every mutating call`, async () => {
      const clean = new InMemoryWorld(fleet(3), noFaults());
      const base = await runModel(clean, buildPlan(clean, options));
      if (base === 'crashed') throw new Error('the uninterrupted run crashed');
      const want = { end: clean.endState(), outcome: base.outcome, leftOut: [] };
      let crashes = 0;
      for (let k = 1; k < 100; k += 1) {
        const world = new InMemoryWorld(fleet(3), noFaults());
        if ((await runCrashingAfterCall(world, options, k)) !== 'crashed') break;
        crashes += 1;
        const resumed = await resumeModel(world);
        if (resumed === 'crashed') throw new Error('resume crashed');
        expect({
          k,
          end: world.endState(),
          outcome: resumed.outcome,
          leftOut: resumed.report.leftOut.map((n) => n.id),
        }).toEqual({ k, ...want });
      }
      // Weights, patch commands and reboots of three nodes: the loop really crashed at each.
      expect(crashes).toBeGreaterThanOrEqual(15);
    });
  }
});
