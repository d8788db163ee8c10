/**
 * The weight a node comes back to, kept on the balancer (`drainctl-weight-<id>`), and servers
 * found at weight 0: saved before the drain (a drain whose weight cannot be saved does not
 * happen), removed once the node is back, kept while it is left out; a server found at 0 goes
 * back to the weight the plan says, or — planned to be left as found — is not touched and the
 * run does not end as a plain success.
 */
import { describe, expect, it } from 'vitest';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import { haltedOnlyAtZero } from '#src/engine/policy/left-at-zero.js';
import { formatReport } from '#src/engine/reporting/report.js';
import { DrainctlError } from '#src/errors/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, noFaults } from '#support/in-memory-world.js';

const KEY = (id: string) => `drainctl-weight-${id}`;

function tagsWhenWeightGoesTo0(world: InMemoryWorld, seen: Array<Record<string, string>>) {
  return (ports: EnginePorts): EnginePorts => ({
    ...ports,
    loadBalancer: {
      ...ports.loadBalancer,
      setBackendWeights: async (id, weights) => {
        if (weights.some((w) => w.weight === 0)) seen.push(Object.fromEntries(world.tags));
        return ports.loadBalancer.setBackendWeights(id, weights);
      },
    },
  });
}

describe('the weight a node comes back to, on the balancer', () => {
  it('is saved before its weight goes to 0, and gone once it is back', async () => {
    const world = new InMemoryWorld(fleet(2, [100, 70]));
    const seen: Array<Record<string, string>> = [];
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      wrap: tagsWhenWeightGoesTo0(world, seen),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(seen).toEqual([
      { [KEY('i-node-1')]: expect.stringMatching(/^100;run=r-model;at=\d{4}-/) },
      { [KEY('i-node-2')]: expect.stringMatching(/^70;run=r-model;at=/) },
    ]);
    expect(world.endState().savedWeights).toEqual({});
    const drain = world.journalLines
      .map((line) => JSON.parse(line))
      .find((e) => e.type === 'step' && e.action === 'node.drain');
    expect(drain.detail).toContain('comes back to 100 (saved as the tag drainctl-weight-i-node-1)');
  });

  it('cannot be saved: the node is not drained, nothing changes, it is named and the run halts', async () => {
    const world = new InMemoryWorld(fleet(2));
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      wrap: (ports) => ({
        ...ports,
        loadBalancer: {
          ...ports.loadBalancer,
          setTags: async (id, tags) => {
            if (Object.keys(tags).some((k) => k.startsWith('drainctl-weight-'))) {
              throw new DrainctlError(
                'CLOUD_API_ERROR',
                'slb AddTags failed: QuotaExceeded.Tag HTTP 400: The number of Tag exceeds the limit.',
              );
            }
            return ports.loadBalancer.setTags(id, tags);
          },
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.exitCode).toBe(2);
    expect(world.weightEvents).toEqual([]);
    expect(result.report.haltReason).toContain(
      'web-1 (i-node-1): could not save 100 as the weight i-node-1 comes back to (tag drainctl-weight-i-node-1 on lb-model)',
    );
    expect(result.report.haltReason).toContain('QuotaExceeded.Tag');
    expect(result.report.haltReason).toContain('not drained, nothing changed');
    expect(result.report.nodes.map((n) => [n.id, n.state])).toEqual([
      ['i-node-1', 'pending'],
      ['i-node-2', 'pending'],
    ]);
  });

  it('is taken back when the drain is decided against (the gate re-check blocks)', async () => {
    const world = new InMemoryWorld(fleet(2));
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      wrap: (ports) => ({
        ...ports,
        loadBalancer: {
          ...ports.loadBalancer,
          setTags: async (id, tags) => {
            await ports.loadBalancer.setTags(id, tags);
            // The only other healthy backend fails its checks between the gate and the drain.
            if (KEY('i-node-1') in tags) world.faults.lbAbnormal.add('i-node-2');
          },
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.report.haltReason).toContain('re-checked right before the drain');
    expect(world.weightEvents).toEqual([]);
    expect(world.endState().savedWeights).toEqual({});
  });

  it('goes when a drained node is rolled back, and stays while a node is left out', async () => {
    const faults = noFaults();
    faults.neverQuiet.add('i-node-1');
    const world = new InMemoryWorld(fleet(2), faults);
    const rolledBack = await runModel(
      world,
      buildPlan(world, { minHealthy: 1, maxUnavailable: 1, stopOnFailure: false }),
    );
    if (rolledBack === 'crashed') throw new Error('crashed');
    expect(rolledBack.report.nodes.map((n) => n.state)).toEqual(['rolled-back', 'pending']);
    expect(world.endState().savedWeights).toEqual({});

    const broken = noFaults();
    broken.bootFails.add('i-node-2');
    const other = new InMemoryWorld(fleet(2, [100, 60]), broken);
    const leftOut = await runModel(other, buildPlan(other, { minHealthy: 1, maxUnavailable: 1 }));
    if (leftOut === 'crashed') throw new Error('crashed');
    expect(leftOut.report.leftOut.map((n) => [n.id, n.reason])).toEqual([
      ['i-node-2', 'unreachable'],
    ]);
    expect(other.endState().savedWeights).toEqual({ 'i-node-2': 60 });
  });

  it('a removal that fails is a warning, not a failure: the node serves', async () => {
    const world = new InMemoryWorld(fleet(1));
    const result = await runModel(world, buildPlan(world, { minHealthy: 0, maxUnavailable: 1 }), {
      wrap: (ports) => ({
        ...ports,
        loadBalancer: {
          ...ports.loadBalancer,
          removeTags: async () => {
            throw new DrainctlError(
              'Throttling.User',
              'Request was denied due to user flow control.',
            );
          },
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(world.endState().weights).toEqual({ 'i-node-1': 100 });
    expect(result.report.warnings).toEqual([
      expect.stringContaining(
        'could not remove the tag drainctl-weight-i-node-1 from lb-model (Request was denied due to user flow control.) although i-node-1 is back at weight 100: remove it by hand',
      ),
    ]);
  });
});

describe('a saved weight left on a server that serves', () => {
  it('someone put the node back during its maintenance (left out as drift): the tag goes', async () => {
    const world = new InMemoryWorld(fleet(2));
    const result = await runModel(world, buildPlan(world, { minHealthy: 0, maxUnavailable: 1 }), {
      wrap: (ports) => ({
        ...ports,
        trafficProbes: async (node, config) => {
          const probe = await ports.trafficProbes(node, config);
          return {
            ...probe,
            waitForDrain: async (o) => {
              const outcome = await probe.waitForDrain(o);
              // A colleague in the console, right after the node was judged drained.
              if (node === 'i-node-1') world.setWeight(node, 60);
              return outcome;
            },
          };
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({ id: 'i-node-1', reason: 'drift' }),
    ]);
    expect(world.endState().weights['i-node-1']).toBe(60);
    expect(world.endState().savedWeights).toEqual({});
  });

  it('a server skipped as compliant: a tag an unfinished run left on it goes', async () => {
    const nodes = fleet(2);
    const target = nodes[0]?.availableKernel ?? '';
    const world = new InMemoryWorld(nodes);
    for (const id of ['i-node-1', 'i-node-2']) {
      const host = world.hosts.get(id);
      if (host) host.kernel = target;
    }
    world.tags.set(KEY('i-node-2'), '100;run=r-earlier');
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1, skipIfCompliant: target });
    // As observed when planning (the inventory is not part of the plan's hash).
    if (plan.inventory.loadBalancer)
      plan.inventory.loadBalancer.tags = Object.fromEntries(world.tags);
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(result.report.nodes.map((n) => n.state)).toEqual(['skipped', 'skipped']);
    expect(world.weightEvents).toEqual([]);
    expect(world.endState().savedWeights).toEqual({});
  });
});

describe('a server found at weight 0', () => {
  const saved = { weight: 100, runId: 'r-earlier', at: '2026-11-21T02:00:01.000Z' };

  it('with a weight a run saved: maintained and brought back to it; the tag is then gone', async () => {
    const world = new InMemoryWorld(fleet(3, [100, 0, 100]));
    world.tags.set(KEY('i-node-2'), '100;run=r-earlier;at=2026-11-21T02:00:01.000Z');
    const plan = buildPlan(world, {
      minHealthy: 1,
      maxUnavailable: 1,
      atZero: { 'i-node-2': { action: 'restore', weight: 100, from: 'saved', saved } },
    });
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(world.endState().weights).toEqual({ 'i-node-1': 100, 'i-node-2': 100, 'i-node-3': 100 });
    expect(world.endState().kernels['i-node-2']).toBe('3.10.0-1160.119.1.el7.x86_64');
    expect(world.endState().savedWeights).toEqual({});
    const web2 = result.report.nodes.find((n) => n.id === 'i-node-2');
    expect(web2).toMatchObject({ state: 'done', weightBefore: 0, weightAfter: 100 });
    expect(formatReport(result.report)).toContain(
      '      found at weight 0; comes back to 100: run r-earlier saved weight 100 before draining it (2026-11-21T02:00:01.000Z)',
    );
  });

  it('bound for a saved weight but failing before its patch: left out at 0, the saved weight kept', async () => {
    const faults = noFaults();
    faults.neverQuiet.add('i-node-2');
    const world = new InMemoryWorld(fleet(2, [100, 0]), faults);
    world.tags.set(KEY('i-node-2'), '80;run=r-earlier');
    const plan = buildPlan(world, {
      minHealthy: 0,
      maxUnavailable: 1,
      atZero: {
        'i-node-2': {
          action: 'restore',
          weight: 80,
          from: 'saved',
          saved: { weight: 80, runId: 'r-earlier' },
        },
      },
    });
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(world.endState().weights['i-node-2']).toBe(0);
    expect(world.endState().savedWeights).toEqual({ 'i-node-2': 80 });
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({
        id: 'i-node-2',
        detail: expect.stringContaining(
          'found at weight 0, left there (it goes back to 80 only through a full maintenance; the tag drainctl-weight-i-node-2 keeps that weight)',
        ),
      }),
    ]);
  });

  it('left as found (no saved weight, no word from the operator): untouched, named, halted (exit 2)', async () => {
    const world = new InMemoryWorld(fleet(3, [100, 0, 100]));
    const plan = buildPlan(world, {
      minHealthy: 1,
      maxUnavailable: 1,
      batches: [['i-node-1'], ['i-node-3']],
      atZero: { 'i-node-2': { action: 'leave', acknowledged: false } },
    });
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.exitCode).toBe(2);
    expect(world.weightEvents.filter((e) => e.serverId === 'i-node-2')).toEqual([]);
    expect(world.endState().kernels['i-node-2']).toBe('3.10.0-1160.el7.x86_64');
    expect(result.report.summary).toBe(
      'halted: i-node-2 (web-2) is at weight 0 and no drainctl run saved its weight: left as found',
    );
    expect(result.report.leftAtZero).toEqual([
      { id: 'i-node-2', name: 'web-2', detail: expect.stringContaining('left as found') },
    ]);
    expect(result.report.next).toBe(
      'i-node-2 (web-2): to patch it and bring it back, run again with --restore-weight i-node-2=<weight>; to leave it at 0 on purpose, with --leave-at-zero i-node-2',
    );
    // Nothing to resume: a new run is how the operator chooses.
    expect(haltedOnlyAtZero(result.state)).toBe(true);
  });

  it('left as found because the operator said so: the run ends done (exit 0)', async () => {
    const world = new InMemoryWorld(fleet(2, [100, 0]));
    const plan = buildPlan(world, {
      minHealthy: 0,
      maxUnavailable: 1,
      batches: [['i-node-1']],
      atZero: { 'i-node-2': { action: 'leave', acknowledged: true } },
    });
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(result.exitCode).toBe(0);
    expect(result.report.summary).toBe(
      'all 1 node(s) done; left at weight 0 as found, as --leave-at-zero says: i-node-2 (web-2)',
    );
    expect(result.report).not.toHaveProperty('leftAtZero');
  });

  it('a run halted for another reason as well is still one to resume', async () => {
    const faults = noFaults();
    faults.bootFails.add('i-node-1');
    const world = new InMemoryWorld(fleet(2, [100, 0]), faults);
    const plan = buildPlan(world, {
      minHealthy: 0,
      maxUnavailable: 1,
      batches: [['i-node-1']],
      atZero: { 'i-node-2': { action: 'leave', acknowledged: false } },
    });
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.report.summary).toContain(
      '; i-node-2 (web-2) is at weight 0 and no drainctl run saved its weight: left as found',
    );
    expect(haltedOnlyAtZero(result.state)).toBe(false);
    expect(result.report.next).toContain('drainctl resume r-model');
    expect(result.report.next).toContain('--restore-weight i-node-2=<weight>');
  });
});

describe('a server found serving below the weight a run saved for it (a ramp that stopped)', () => {
  const saved = { weight: 100, runId: 'r-earlier', at: '2026-11-21T02:00:01.000Z' };
  const TAG = '100;run=r-earlier;at=2026-11-21T02:00:01.000Z';

  it('is maintained from its live weight and brought back to the saved one; the tag is then gone', async () => {
    const world = new InMemoryWorld(fleet(3, [50, 100, 100]));
    world.tags.set(KEY('i-node-1'), TAG);
    const plan = buildPlan(world, {
      minHealthy: 1,
      maxUnavailable: 1,
      belowSaved: { 'i-node-1': saved },
    });
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(world.endState().weights).toEqual({ 'i-node-1': 100, 'i-node-2': 100, 'i-node-3': 100 });
    expect(world.endState().savedWeights).toEqual({});
    expect(result.report.nodes[0]).toMatchObject({ state: 'done', weightBefore: 50 });
    expect(formatReport(result.report)).toContain(
      '      found below its saved weight (a ramp that stopped); comes back to 100: run r-earlier saved weight 100 before draining it (2026-11-21T02:00:01.000Z)',
    );
  });

  it('failing before its patch: back to the weight it was found at, the saved weight kept', async () => {
    const faults = noFaults();
    faults.neverQuiet.add('i-node-1');
    const world = new InMemoryWorld(fleet(2, [50, 100]), faults);
    world.tags.set(KEY('i-node-1'), TAG);
    const plan = buildPlan(world, {
      minHealthy: 0,
      maxUnavailable: 1,
      belowSaved: { 'i-node-1': saved },
    });
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(world.endState().weights['i-node-1']).toBe(50);
    // Still on its way back to 100: a later run finds it below its saved weight again.
    expect(world.endState().savedWeights).toEqual({ 'i-node-1': 100 });
    expect(result.report.nodes[0]).toMatchObject({
      state: 'rolled-back',
      detail: expect.stringContaining(
        'weight back to 50, host untouched; the tag drainctl-weight-i-node-1 keeps 100',
      ),
    });
  });
});
