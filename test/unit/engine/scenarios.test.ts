/**
 * The failure policy end to end against the in-memory world: each outcome of docs/engine.md §6
 * and what it leaves behind (weights, kernels, the report), plus drift, abort and gates that
 * cannot be evaluated.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '#src/engine/lifecycle/runner.js';
import { formatReport } from '#src/engine/reporting/report.js';
import { buildPlan, fleet, type PlanOptions } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { type Faults, InMemoryWorld, noFaults } from '#support/in-memory-world.js';

const OLD = '3.10.0-1160.el7.x86_64';
const NEW = '3.10.0-1160.119.1.el7.x86_64';

async function run(
  setup: (f: Faults) => void,
  options: Partial<PlanOptions> = {},
  extra: Parameters<typeof runModel>[2] = {},
): Promise<{ world: InMemoryWorld; result: RunResult }> {
  const faults = noFaults();
  setup(faults);
  const world = new InMemoryWorld(fleet(3), faults);
  const result = await runModel(
    world,
    buildPlan(world, { minHealthy: 1, maxUnavailable: 1, ...options }),
    extra,
  );
  if (result === 'crashed') throw new Error('crashed');
  return { world, result };
}

describe('failure outcomes', () => {
  it('drain timeout with onTimeout halt: weight restored, node untouched, run halts', async () => {
    const { world, result } = await run((f) => f.neverQuiet.add('i-node-2'));
    expect(result.outcome).toBe('halted');
    expect(world.endState().weights).toEqual({ 'i-node-1': 100, 'i-node-2': 100, 'i-node-3': 100 });
    expect(world.endState().kernels).toEqual({ 'i-node-1': NEW, 'i-node-2': OLD, 'i-node-3': OLD });
    const node2 = result.report.nodes[1];
    expect(node2?.state).toBe('rolled-back');
    expect(node2?.outcome).toBe('drain-timeout');
    expect(result.report.leftOut).toEqual([]);
    expect(result.report.haltReason).toContain('drain timed out');
    // Node 3 was never started.
    expect(world.weightEvents.some((e) => e.serverId === 'i-node-3')).toBe(false);
  });

  it('drain timeout with onTimeout proceed: patches anyway and says so', async () => {
    const { world, result } = await run((f) => f.neverQuiet.add('i-node-2'), {
      onTimeout: 'proceed',
    });
    expect(result.outcome).toBe('completed');
    expect(Object.values(world.endState().kernels)).toEqual([NEW, NEW, NEW]);
    const notes = world.journalLines.filter((l) => l.includes('"type":"note"'));
    expect(notes.join('\n')).toContain(
      'drain timed out and the workflow says proceed: patching i-node-2 anyway',
    );
  });

  it('patch command failed: left out at weight 0 as unpatched, no reboot, run halts', async () => {
    const { world, result } = await run((f) => f.patchFails.add('i-node-1'));
    expect(result.outcome).toBe('halted');
    expect(result.report.leftOut).toEqual([
      {
        id: 'i-node-1',
        name: 'web-1',
        reason: 'unpatched',
        detail: expect.stringContaining('exit 1: Error: Cannot retrieve repository metadata'),
      },
    ]);
    expect(world.endState().weights['i-node-1']).toBe(0);
    expect(world.hosts.get('i-node-1')?.rebooted).toBe(false);
    expect(world.weightEvents.some((e) => e.serverId !== 'i-node-1')).toBe(false);
  });

  it('unhealthy after reboot: left out as unhealthy', async () => {
    const { world, result } = await run((f) => f.unhealthyAfterBoot.add('i-node-1'));
    expect(result.report.leftOut.map((n) => [n.id, n.reason])).toEqual([['i-node-1', 'unhealthy']]);
    expect(result.report.leftOut[0]?.detail).toContain('not healthy within 120s');
    expect(world.endState().weights['i-node-1']).toBe(0);
  });

  it('verify shows the old kernel: left out as unpatched', async () => {
    const { result } = await run((f) => f.patchNoop.add('i-node-3'));
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({
        id: 'i-node-3',
        reason: 'unpatched',
        detail: `unchanged: still ${OLD} (the patch did not take effect)`,
      }),
    ]);
  });

  it('bad ramp: back to weight 0 at the first step, halted, reported', async () => {
    const { world, result } = await run((f) => f.errorsAfterBoot.add('i-node-2'));
    expect(world.weightEvents.filter((e) => e.serverId === 'i-node-2').map((e) => e.to)).toEqual([
      0, 10, 0,
    ]);
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({
        id: 'i-node-2',
        reason: 'unhealthy',
        detail: expect.stringContaining('5xx rate too high while restoring: weight 10: 5/10 5xx'),
      }),
    ]);
    expect(result.outcome).toBe('halted');
  });

  it('a failed node halts the rollout; its sibling in the batch finishes, the next batch never starts', async () => {
    const { world, result } = await run((f) => f.patchFails.add('i-node-1'), {
      maxUnavailable: 2,
      batches: [['i-node-1', 'i-node-2'], ['i-node-3']],
    });
    expect(result.outcome).toBe('halted');
    expect(result.report.nodes.map((n) => [n.id, n.state])).toEqual([
      ['i-node-1', 'left-out'],
      ['i-node-2', 'done'],
      ['i-node-3', 'pending'],
    ]);
    expect(world.endState().kernels).toEqual({ 'i-node-1': OLD, 'i-node-2': NEW, 'i-node-3': OLD });
  });

  it('stopOnFailure false: the node is left out and the rollout goes on where the gates allow', async () => {
    const { world, result } = await run((f) => f.bootFails.add('i-node-1'), {
      stopOnFailure: false,
      maxUnavailable: 2,
    });
    expect(result.outcome).toBe('halted'); // not every node is done: exit 2
    expect(result.report.leftOut.map((n) => n.id)).toEqual(['i-node-1']);
    expect(world.endState().kernels).toMatchObject({ 'i-node-2': NEW, 'i-node-3': NEW });
  });

  it('stopOnFailure false with maxUnavailable 1: the left-out node still counts, so the next gate blocks', async () => {
    const { world, result } = await run((f) => f.bootFails.add('i-node-1'), {
      stopOnFailure: false,
    });
    expect(result.outcome).toBe('halted');
    expect(result.report.haltReason).toContain(
      'gate blocked: 1 node(s) of this run out of service (i-node-1)',
    );
    expect(world.endState().weights).toMatchObject({ 'i-node-2': 100, 'i-node-3': 100 });
  });
});

describe('bringing a new backend into service before the rollout', () => {
  it('ramps it to its target weight, then patches it like the others', async () => {
    const nodes = fleet(2);
    const world = new InMemoryWorld(nodes);
    world.backends.set('i-node-2', 0); // added at weight 0, as the seed's new server
    world.initialWeights.set('i-node-2', 0);
    const result = await runModel(
      world,
      buildPlan(world, { minHealthy: 1, maxUnavailable: 1, bringIn: 'i-node-2' }),
    );
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(world.weightEvents.filter((e) => e.serverId === 'i-node-2').map((e) => e.to)).toEqual([
      10, 50, 100, 0, 10, 50, 100,
    ]);
    expect(world.endState().weights).toEqual({ 'i-node-1': 100, 'i-node-2': 100 });
    expect(world.endState().kernels['i-node-2']).toBe(NEW);
  });

  it('a bad ramp into service puts it back to weight 0 and halts before the rollout', async () => {
    const faults = noFaults();
    faults.errorsAfterBoot.add('i-node-2');
    const world = new InMemoryWorld(fleet(2), faults);
    world.backends.set('i-node-2', 0);
    world.initialWeights.set('i-node-2', 0);
    const host = world.hosts.get('i-node-2');
    if (host) host.rebooted = true; // it answers 5xx from the start
    const result = await runModel(
      world,
      buildPlan(world, { minHealthy: 1, maxUnavailable: 1, bringIn: 'i-node-2' }),
    );
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(world.weightEvents.map((e) => [e.serverId, e.to])).toEqual([
      ['i-node-2', 10],
      ['i-node-2', 0],
    ]);
    expect(result.report.haltReason).toContain('prepare step 1 (node.restore) failed');
  });
});

describe('gates, drift and stops', () => {
  it('a gate that cannot be evaluated blocks: the node is never drained, never skipped silently', async () => {
    const { world, result } = await run(
      () => {},
      {},
      {
        wrap: (ports) => ({
          ...ports,
          loadBalancer: {
            ...ports.loadBalancer,
            healthStatus: async () => {
              throw new Error('Throttling.User: Request was denied due to user flow control');
            },
          },
        }),
      },
    );
    expect(result.outcome).toBe('halted');
    expect(world.weightEvents).toEqual([]);
    expect(result.report.haltReason).toContain(
      'cannot evaluate the gate (fails closed): Throttling.User',
    );
    expect(result.report.nodes.every((n) => n.state === 'pending')).toBe(true);
  });

  it('drift: a weight changed by someone else since the plan halts before any mutation, naming it', async () => {
    const world = new InMemoryWorld(fleet(3));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    world.backends.set('i-node-2', 30); // someone, in the console, after the plan was approved
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(world.weightEvents).toEqual([]);
    expect(result.report.haltReason).toContain(
      'the balancer drifted from the plan, nothing changed: weight of i-node-2 is 30, expected 100 (changed by someone else)',
    );
  });

  it('drift: a backend added since the plan halts before the drain', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    world.backends.set('i-intruder', 100);
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(world.weightEvents).toEqual([]);
    expect(result.report.haltReason).toContain(
      'backend i-intruder was added (weight 100) since the plan',
    );
  });

  it('a listener stopped by someone else halts before the drain, naming it', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    world.listenerStatus = 'stopped';
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(world.weightEvents).toEqual([]);
    // The gate sees it first: a stopped listener judges no backend healthy, and it says so.
    expect(result.report.haltReason).toContain('ignored 80/tcp (stopped)');
  });

  it('drift during the ramp: the weight is not ours any more, so it is left alone and reported', async () => {
    const world = new InMemoryWorld(fleet(2), {
      ...noFaults(),
      driftOnDrain: { whenDraining: 'i-node-2', serverId: 'i-node-1', weight: 77 },
    });
    const result = await runModel(
      world,
      buildPlan(world, { minHealthy: 0, maxUnavailable: 2, batches: [['i-node-1', 'i-node-2']] }),
    );
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(world.backends.get('i-node-1')).toBe(77);
    expect(result.report.leftOut.map((n) => [n.id, n.reason])).toContainEqual([
      'i-node-1',
      'drift',
    ]);
  });

  it('SIGTERM during a drain: the drain is undone (weight restored), nothing else starts, halted', async () => {
    const controller = new AbortController();
    const { world, result } = await run(
      (f) => f.neverQuiet.add('i-node-1'),
      {},
      {
        signal: controller.signal,
        wrap: (ports) => ({
          ...ports,
          trafficProbes: async (node, config) => {
            const probe = await ports.trafficProbes(node, config);
            return {
              ...probe,
              waitForDrain: (o) => {
                controller.abort(new Error('received SIGTERM'));
                return probe.waitForDrain(o);
              },
            };
          },
        }),
      },
    );
    expect(result.outcome).toBe('halted');
    expect(result.exitCode).toBe(2);
    expect(world.weightEvents.map((e) => [e.serverId, e.to])).toEqual([
      ['i-node-1', 0],
      ['i-node-1', 100],
    ]);
    expect(result.report.nodes.map((n) => n.state)).toEqual(['rolled-back', 'pending', 'pending']);
    expect(result.report.haltReason).toBe('aborted by SIGTERM');
    expect(world.journalLines.some((l) => l.includes('"type":"abort-requested"'))).toBe(true);
    // Its closing lines fit an abort: who stopped it, every node accounted for, no cause to fix.
    const lines = formatReport(result.report);
    expect(lines[1]).toBe('  aborted by SIGTERM: stopped safely, every node serving or named');
    expect(lines.some((l) => l.startsWith('  halt: '))).toBe(false);
    expect(lines.at(-1)).toBe(
      '  next: nothing to fix; `drainctl resume r-model` continues the rollout with the nodes not done, whenever you want it to',
    );
  });

  it('an abort after a failure halted the run keeps the failure first: its reason and advice', async () => {
    const controller = new AbortController();
    const { result } = await run(
      (f) => f.neverQuiet.add('i-node-1'),
      {},
      {
        signal: controller.signal,
        wrap: (ports) => ({
          ...ports,
          loadBalancer: {
            ...ports.loadBalancer,
            // The drain timed out and was halted; Ctrl-C arrives while its weight goes back.
            setBackendWeights: async (id, weights) => {
              if (weights.some((w) => w.serverId === 'i-node-1' && w.weight === 100)) {
                controller.abort(new Error('received SIGINT'));
              }
              return ports.loadBalancer.setBackendWeights(id, weights);
            },
          },
        }),
      },
    );
    expect(result.outcome).toBe('halted');
    expect(result.report.haltReason).toMatch(/^\S+ \(i-node-1\): /);
    expect(result.report.summary).toMatch(/^halted: \S+ \(i-node-1\): /);
    expect(result.report.next).toContain('once the cause is fixed');
  });

  it('a stop while a node reboots carries it through proof and ramp, then halts', async () => {
    const controller = new AbortController();
    const { world, result } = await run(
      () => {},
      {},
      {
        signal: controller.signal,
        wrap: (ports) => ({
          ...ports,
          host: (target) => {
            const host = ports.host(target);
            return {
              ...host,
              reboot: async (id) => {
                await host.reboot(id);
                controller.abort(new Error('received SIGINT'));
              },
            };
          },
        }),
      },
    );
    expect(result.outcome).toBe('halted');
    expect(result.report.nodes.map((n) => n.state)).toEqual(['done', 'pending', 'pending']);
    expect(world.endState().weights).toEqual({ 'i-node-1': 100, 'i-node-2': 100, 'i-node-3': 100 });
    expect(world.endState().kernels['i-node-1']).toBe(NEW);
  });

  it('a failed preparation points DNS back to where it was', async () => {
    const { world, result } = await run(
      () => {},
      { dnsCutover: true },
      {
        wrap: (ports) => ({ ...ports, dnsResolver: { resolve: async () => ['10.9.9.9'] } }),
      },
    );
    expect(result.outcome).toBe('halted');
    expect(world.dnsRecord.value).toBe('10.0.0.11');
    expect(world.weightEvents).toEqual([]);
    expect(result.report.haltReason).toContain('prepare step 2 (dns.verify) failed');
  });
});
