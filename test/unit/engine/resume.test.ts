import { describe, expect, it } from 'vitest';
import { buildPlan, fleet, type PlanOptions } from '#support/hand-built-plans.js';
import { resumeModel, runModel } from '#support/in-memory-runs.js';
import { type Faults, InMemoryWorld, noFaults } from '#support/in-memory-world.js';

function scenario(faults: Faults = noFaults()) {
  return new InMemoryWorld(fleet(3, [100, 60, 30]), faults);
}

async function endStateAfterCrashAt(seq: number, options: PlanOptions, faults?: () => Faults) {
  return crashAndResume(seq, options, faults);
}

async function crashAndResume(seq: number, options: PlanOptions, faults?: () => Faults) {
  const world = scenario(faults?.());
  const plan = buildPlan(world, options);
  const first = await runModel(world, plan, { crashAfterSeq: seq });
  let outcome = first === 'crashed' ? undefined : first.outcome;
  if (first === 'crashed') {
    const resumed = await resumeModel(world);
    if (resumed === 'crashed') throw new Error('resume crashed');
    outcome = resumed.outcome;
  }
  return {
    end: world.endState(),
    outcome,
    crashed: first === 'crashed',
    lines: world.journalLines.length,
  };
}

describe('resume after a crash at every journal boundary (in-memory)', () => {
  const options: PlanOptions = { minHealthy: 1, maxUnavailable: 1, dnsCutover: true };

  it('reaches the end state of an uninterrupted run, whatever entry it died after', async () => {
    const world = scenario();
    const baseline = await runModel(world, buildPlan(world, options));
    if (baseline === 'crashed') throw new Error('crashed');
    const expected = world.endState();
    const total = world.journalLines.length;
    expect(baseline.outcome).toBe('completed');
    for (let seq = 1; seq < total; seq += 1) {
      const got = await endStateAfterCrashAt(seq, options);
      expect({ seq, ...got.end, outcome: got.outcome }).toEqual({
        seq,
        ...expected,
        outcome: 'completed',
      });
      expect(got.crashed).toBe(true);
    }
  });

  it('the same for a batch of two where one node fails while the other is under way', async () => {
    const concurrent: PlanOptions = {
      minHealthy: 1,
      maxUnavailable: 2,
      batches: [['i-node-1', 'i-node-2'], ['i-node-3']],
    };
    const faults = () => {
      const f = noFaults();
      f.unhealthyAfterBoot.add('i-node-1');
      return f;
    };
    const world = scenario(faults());
    const baseline = await runModel(world, buildPlan(world, concurrent));
    if (baseline === 'crashed') throw new Error('crashed');
    expect(baseline.outcome).toBe('halted');
    const expected = world.endState();
    const total = world.journalLines.length;
    for (let seq = 1; seq < total; seq += 1) {
      const got = await crashAndResume(seq, concurrent, faults);
      expect({ seq, ...got.end, outcome: got.outcome }).toEqual({
        seq,
        ...expected,
        outcome: 'halted',
      });
    }
  });
});
