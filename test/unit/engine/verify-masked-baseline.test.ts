/**
 * `expect: changed` compares the verify output with the baseline folded back from the journal,
 * where every `${VAR}` value a command uses is masked wherever it stands on its own — also one
 * that merely appears in the output too (`10` in `3.10.0-1160.el7.x86_64`). The fresh output is
 * compared in that same form: a patch that changed nothing must not pass as done.
 */
import { describe, expect, it } from 'vitest';
import { registerSecret } from '#src/log/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, noFaults } from '#support/in-memory-world.js';

const OLD = '3.10.0-1160.el7.x86_64';
const NEW = '3.10.0-1160.119.1.el7.x86_64';

// A workflow variable's value, registered as the loader registers every `${VAR}` a command uses
// (this file runs in a process of its own: the registry is not shared with other tests).
registerSecret('10');

describe('a baseline journaled with a secret masked in it', () => {
  it('a patch that changed nothing is unpatched, not done', async () => {
    const faults = noFaults();
    faults.patchNoop.add('i-node-1');
    const world = new InMemoryWorld(fleet(2), faults);
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(world.endState().kernels['i-node-1']).toBe(OLD);
    expect(result.report.nodes[0]).toMatchObject({
      id: 'i-node-1',
      state: 'left-out',
      reason: 'unpatched',
      kernelBefore: '3.[REDACTED].0-1160.el7.x86_64',
      detail: expect.stringContaining('unchanged: still 3.[REDACTED].0-1160.el7.x86_64'),
    });
    expect(world.endState().weights['i-node-1']).toBe(0);
  });

  it('a patch that took is done, its change visible outside the masked span', async () => {
    const world = new InMemoryWorld(fleet(1), noFaults());
    const result = await runModel(world, buildPlan(world, { minHealthy: 0, maxUnavailable: 1 }));
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(world.endState().kernels['i-node-1']).toBe(NEW);
    expect(result.report.nodes[0]).toMatchObject({
      state: 'done',
      kernelAfter: '3.[REDACTED].0-1160.119.1.el7.x86_64',
    });
  });
});
