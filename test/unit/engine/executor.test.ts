import { describe, expect, it } from 'vitest';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, noFaults } from '#support/in-memory-world.js';

describe('executor against the in-memory world', () => {
  it('patches every node one at a time and restores each weight', async () => {
    const world = new InMemoryWorld(fleet(3, [100, 50, 80]));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(result.exitCode).toBe(0);
    expect(world.endState().weights).toEqual({ 'i-node-1': 100, 'i-node-2': 50, 'i-node-3': 80 });
    expect(Object.values(world.endState().kernels)).toEqual(
      Array(3).fill('3.10.0-1160.119.1.el7.x86_64'),
    );
    const report = result.report;
    expect(report.nodes.map((n) => [n.state, n.weightBefore, n.weightAfter])).toEqual([
      ['done', 100, 100],
      ['done', 50, 50],
      ['done', 80, 80],
    ]);
    expect(report.nodes[0]?.kernelBefore).toBe('3.10.0-1160.el7.x86_64');
    expect(report.nodes[0]?.kernelAfter).toBe('3.10.0-1160.119.1.el7.x86_64');
    // Ramp 10 → 50 → 100 % of 100.
    expect(world.weightEvents.filter((e) => e.serverId === 'i-node-1').map((e) => e.to)).toEqual([
      0, 10, 50, 100,
    ]);
  });

  it('leaves a node that does not boot at weight 0, names it, and halts', async () => {
    const faults = noFaults();
    faults.bootFails.add('i-node-2');
    const world = new InMemoryWorld(fleet(3), faults);
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.exitCode).toBe(2);
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({ id: 'i-node-2', reason: 'unreachable' }),
    ]);
    expect(world.endState().weights).toEqual({ 'i-node-1': 100, 'i-node-2': 0, 'i-node-3': 100 });
    expect(world.endState().kernels['i-node-3']).toBe('3.10.0-1160.el7.x86_64');
  });
});
