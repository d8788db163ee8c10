/**
 * `rollout.canary` in the plan: the first batch holds the canary alone (whatever
 * `maxUnavailable` allows), and its bake — a step of batch 1 without a node, so every canary
 * sequence ends before it and no later batch begins until it passed — is in the runbook and the
 * estimate.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { cutBatches } from '#src/plan/batches.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import { emulatorWorld } from '#support/observed-inventory.js';
import { loadExample } from '#support/workflows.js';

const seed = loadExample('workflows/kernel-patch.yaml');
const plan = (spec: typeof seed.spec) => planRollout(spec, emulatorWorld(), seed.source, sha256Hex);

describe('canary in the plan', () => {
  it('bakes the first batch of one server before the next batch, in the runbook and the estimate', () => {
    const spec = structuredClone(seed.spec);
    const without = plan(spec);
    spec.rollout.canary = { servers: 1, bakeMinutes: 10, max5xxRate: 0.01, minRequests: 20 };
    const canary = plan(spec);
    expect(canary.batches.map((b) => b.nodes.length)).toEqual([1, 1]);
    expect(without.steps.some((s) => s.action === 'canary.bake')).toBe(false);
    const bake = canary.steps.find((s) => s.action === 'canary.bake');
    expect(bake).toMatchObject({ batch: 1, phase: 'rollout' });
    expect(bake?.node).toBeUndefined();
    expect(bake?.params).toMatchObject({
      canary: canary.batches[0]?.nodes,
      seconds: 600,
      max5xxRate: 0.01,
      minRequests: 20,
    });
    const lastOfBatch1 = Math.max(
      ...canary.steps.filter((s) => s.batch === 1 && s.node !== undefined).map((s) => s.index),
    );
    expect(bake?.index).toBe(lastOfBatch1 + 1);
    expect(renderRunbook(canary)).toContain(`${bake?.index}. Bake the canary`);
    expect(canary.estimate.totalSeconds).toBe(without.estimate.totalSeconds + 600);
  });

  it('shows a latency limit in the bake, or says latency is not judged', () => {
    const spec = structuredClone(seed.spec);
    spec.rollout.canary = { servers: 1, bakeMinutes: 10, max5xxRate: 0.01, minRequests: 20 };
    const unjudged = plan(spec).steps.find((s) => s.action === 'canary.bake');
    expect(unjudged?.params).not.toHaveProperty('maxLatencyMs');
    expect(unjudged?.description).toContain('latency is not judged (no maxLatencyMs)');
    spec.rollout.canary.maxLatencyMs = 400;
    const judged = plan(spec).steps.find((s) => s.action === 'canary.bake');
    expect(judged?.params).toMatchObject({ maxLatencyMs: 400 });
    expect(judged?.description).toContain('or a 95th-percentile request time above 400 ms');
  });

  it('cuts the canary alone into the first batch, then batches as maxUnavailable allows', () => {
    const candidates = ['a', 'b', 'c', 'd'].map((id) => ({ id, countsAsHealthy: true }));
    const limits = { maxUnavailable: 2, minHealthy: 1, healthyWeighted: 4 };
    expect(cutBatches(candidates, limits)).toEqual({
      ok: true,
      batches: [
        ['a', 'b'],
        ['c', 'd'],
      ],
    });
    expect(cutBatches(candidates, { ...limits, firstBatchAtMost: 1 })).toEqual({
      ok: true,
      batches: [['a'], ['b', 'c'], ['d']],
    });
  });
});
