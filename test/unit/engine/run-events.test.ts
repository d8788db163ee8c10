/**
 * A run's journal, read as notifications: the events come from the run-state reducer's view of
 * each entry, for a whole run on the in-memory world and for a run crashed and resumed.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '#src/engine/journal/entries.js';
import { runEventTracker } from '#src/engine/reporting/run-events.js';
import type { PlanAlertGate } from '#src/plan/types.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { resumeModel, runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, noFaults } from '#support/in-memory-world.js';

const GATE: PlanAlertGate = {
  prometheusUrl: 'http://prometheus.model:9090',
  query: 'ALERTS{alertstate="firing"}',
  labels: {},
  timeoutMs: 5000,
  maxWaitMinutes: 10,
  pollSeconds: 30,
};

const entriesOf = (world: InMemoryWorld): JournalEntry[] =>
  world.journalLines.map((line) => JSON.parse(line) as JournalEntry);

describe('runEventTracker', () => {
  it('tells a whole run: started, each server done with its versions, finished', async () => {
    const world = new InMemoryWorld(fleet(2), noFaults());
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    const track = runEventTracker();
    const events = entriesOf(world).flatMap(track);
    expect(events.map((e) => e.kind)).toEqual(['started', 'node-done', 'node-done', 'finished']);
    expect(events[0]).toMatchObject({ runId: 'r-model', planSha256: plan.sha256, resumed: false });
    const finished = events.at(-1);
    expect(finished).toMatchObject({ kind: 'finished', outcome: 'completed' });
    if (finished?.kind !== 'finished') throw new Error('no finished event');
    expect(finished.patched).toHaveLength(2);
    for (const p of finished.patched) expect(p.before).not.toBe(p.after);
  });

  it('names a server left out with its reason, and the halt', async () => {
    const faults = noFaults();
    faults.patchNoop.add('i-node-1');
    const world = new InMemoryWorld(fleet(2), faults);
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    if (result === 'crashed') throw new Error('crashed');
    const events = entriesOf(world).flatMap(runEventTracker());
    // The halt is journaled as soon as the failure is known, before the node settles.
    expect(events.map((e) => e.kind)).toEqual(['started', 'halted', 'node-left-out', 'finished']);
    expect(events[2]).toMatchObject({ node: 'web-1', reason: 'unpatched' });
    expect(events[3]).toMatchObject({ outcome: 'halted', leftOut: [{ node: 'web-1' }] });
  });

  it('after a crash, a resumed run tells only what is new: resumed, then the rest', async () => {
    const world = new InMemoryWorld(fleet(2), noFaults());
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const firstDone = async () => {
      const probe = new InMemoryWorld(fleet(2), noFaults());
      await runModel(probe, buildPlan(probe, { minHealthy: 1, maxUnavailable: 1 }));
      return entriesOf(probe).findIndex((e) => e.type === 'node-state' && e.state === 'done');
    };
    const crashAt = (await firstDone()) + 2; // just after the first server finished
    expect(await runModel(world, plan, { crashAfterSeq: crashAt })).toBe('crashed');
    const history = entriesOf(world);
    await resumeModel(world);
    const track = runEventTracker(history);
    const events = entriesOf(world).slice(history.length).flatMap(track);
    expect(events.map((e) => e.kind)).toEqual(['started', 'node-done', 'finished']);
    expect(events[0]).toMatchObject({ resumed: true });
  });

  it('tells the room that the alert gate holds a server, naming what fires', async () => {
    const world = new InMemoryWorld(fleet(2), noFaults());
    world.alerts = [{ labels: { alertname: 'HighErrorRate' } }];
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1, alertGate: GATE });
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    const events = entriesOf(world).flatMap(runEventTracker());
    expect(events.map((e) => e.kind)).toEqual([
      'started',
      'alert-gate-blocking',
      'halted',
      'finished',
    ]);
    expect(events[1]).toMatchObject({
      node: 'web-1',
      reason: expect.stringContaining('HighErrorRate'),
    });
  });
});
