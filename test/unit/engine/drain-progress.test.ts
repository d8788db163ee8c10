/**
 * A drain wait's progress reaches whoever watches the run live (`onDrainProgress`: serve's page),
 * named by run and node, and never enters the journal: it is gone once the wait ends.
 */
import { describe, expect, it } from 'vitest';
import type { DrainProgressEvent } from '#src/engine/lifecycle/runner.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

describe('drain progress', () => {
  it('is told per node while its drain waits, with the run id, and is not journaled', async () => {
    const world = new InMemoryWorld(fleet(2));
    const told: DrainProgressEvent[] = [];
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      onDrainProgress: (event) => told.push(event),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(new Set(told.map((e) => e.node))).toEqual(new Set(['i-node-1', 'i-node-2']));
    for (const event of told) {
      expect(event).toMatchObject({ runId: 'r-model', requestsPerSecond: expect.any(Number) });
    }
    expect(world.journalLines.join('\n')).not.toContain('requestsPerSecond');
  });

  it('a watcher that throws is logged and the run goes on', async () => {
    const world = new InMemoryWorld(fleet(1));
    const result = await runModel(world, buildPlan(world, { minHealthy: 0, maxUnavailable: 1 }), {
      onDrainProgress: () => {
        throw new Error('the page went away');
      },
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
  });
});
