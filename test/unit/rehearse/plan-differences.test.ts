import { describe, expect, it } from 'vitest';
import { planDifferences } from '#src/plan/index.js';
import type { Plan } from '#src/plan/types.js';

const plan = (over: Record<string, unknown>) =>
  ({
    sha256: 'a',
    inventory: { observedAt: '2026-12-05T00:00:00Z' },
    nodes: [{ id: 'i-1', weight: 100 }],
    steps: [{ action: 'wait', params: { seconds: 5 } }],
    ...over,
  }) as unknown as Plan;

describe('planDifferences', () => {
  it('names each path that differs, ignoring the observation and the hash', () => {
    const real = plan({});
    const mirror = plan({
      sha256: 'b',
      inventory: { observedAt: 'later' },
      nodes: [
        { id: 'i-1', weight: 80 },
        { id: 'i-2', weight: 100 },
      ],
    });
    expect(planDifferences(real, mirror)).toEqual({
      count: 2,
      named: ['nodes[0].weight: 100 → 80', 'nodes[1]: (absent) → {"id":"i-2","weight":100}'],
    });
    expect(planDifferences(real, plan({ sha256: 'c' }))).toEqual({ count: 0, named: [] });
  });
});
