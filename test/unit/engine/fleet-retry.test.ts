/**
 * `resume --retry` of a fleet server whose weights someone changed by hand since the run last
 * touched it: its sequence starts over from the weights read live right before, on every
 * attachment, and it comes back to them.
 */
import { describe, expect, it } from 'vitest';
import { resumeRun } from '#src/engine/lifecycle/runner.js';
import { fleetModel, journal, WEB1 } from '#support/fleet-model.js';
import { runModel, silent } from '#support/in-memory-runs.js';
import { Incarnation, type InMemoryWorld } from '#support/in-memory-world.js';

function resumeRetrying(world: InMemoryWorld, retry: string[]) {
  const incarnation = new Incarnation();
  return resumeRun('r-model', {
    home: '/nonexistent/drainctl-model-home',
    ports: world.ports(incarnation),
    store: world.journalStore(incarnation),
    locking: false,
    logger: silent,
    abortPollMs: 3_600_000,
    retry,
  });
}

describe('resume --retry of a fleet server', () => {
  it('starts from the weights someone set by hand, and restores those', async () => {
    const { world, plan } = fleetModel();
    // web-1's patch fails: it is left out, at weight 0.
    world.faults.patchFails.add(WEB1);
    const first = await runModel(world, plan);
    if (first === 'crashed') throw new Error('crashed');
    expect(first.report.leftOut.map((n) => n.id)).toEqual([WEB1]);
    expect(world.backends.get(WEB1)).toBe(0);
    // The operator fixes it and, meanwhile, puts web-1 back by hand at another weight.
    world.faults.patchFails.delete(WEB1);
    world.backends.set(WEB1, 60);
    const retried = await resumeRetrying(world, [WEB1]);
    const steps = journal(world).filter((e) => e.type === 'step' && e.node === WEB1);
    expect(retried.outcome, JSON.stringify(steps.at(-1))).toBe('completed');
    expect(world.hosts.get(WEB1)?.patchedAt).toBeDefined();
    expect(world.backends.get(WEB1)).toBe(60);
    const retry = journal(world).find((e) => e.type === 'retry');
    expect(retry?.attachmentWeights).toEqual({ 'lb-model': 60 });
  });
});
