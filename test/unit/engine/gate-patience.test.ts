/**
 * A gate blocked on capacity waits `rollout.gatePatienceSeconds` for it to clear (60 s when the
 * workflow does not say), then halts the rollout with the node untouched.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { hashPlan } from '#src/plan/plan-hash.js';
import type { Plan } from '#src/plan/types.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, noFaults } from '#support/in-memory-world.js';

/** One server and minHealthy 1: its leaving would always leave nobody, so its gate never clears. */
async function blockedFor(patienceSeconds: number | undefined): Promise<number> {
  const world = new InMemoryWorld(fleet(1), noFaults());
  const built = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
  const { sha256: _old, ...unhashed } = built;
  const changed: Omit<Plan, 'sha256'> = {
    ...unhashed,
    steps: built.steps.map((step) =>
      step.action === 'gate' && patienceSeconds !== undefined
        ? { ...step, params: { ...step.params, patienceSeconds } }
        : step,
    ),
  };
  const plan: Plan = { ...changed, sha256: hashPlan(changed, sha256Hex) };
  const result = await runModel(world, plan);
  if (result === 'crashed') throw new Error('crashed');
  expect(result.outcome).toBe('halted');
  const entries = world.journalLines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const waiting = entries.find(
    (e) => e.type === 'note' && String(e.message).includes('waiting up to'),
  );
  const gate = entries.find((e) => e.type === 'gate');
  expect(gate?.passed).toBe(false);
  expect(world.weightEvents).toEqual([]);
  return (Date.parse(String(gate?.ts)) - Date.parse(String(waiting?.ts))) / 1000;
}

describe('the patience of a gate blocked on capacity', () => {
  it('is 60 s unless the workflow says', async () => {
    const waited = await blockedFor(undefined);
    expect(waited).toBeGreaterThanOrEqual(60);
    expect(waited).toBeLessThan(63);
  });

  it('is what rollout.gatePatienceSeconds says', async () => {
    const waited = await blockedFor(6);
    expect(waited).toBeGreaterThanOrEqual(6);
    expect(waited).toBeLessThan(9);
  });
});
