/**
 * The timeline model and its HTML, from journals the real runner writes against the in-memory
 * world: a finished run, one cut off in the middle (as the page sees it live), and one that
 * left a server out.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '#src/engine/journal/entries.js';
import { buildTimeline, renderReport, renderTimeline } from '#src/report/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, noFaults } from '#support/in-memory-world.js';

function entriesOf(world: InMemoryWorld): JournalEntry[] {
  return world.journalLines.map((line) => JSON.parse(line) as JournalEntry);
}

describe('the timeline model', () => {
  it('tells a finished run: every server through its phases, weights set, runbook done', async () => {
    const world = new InMemoryWorld(fleet(3, [100, 50, 80]));
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    if (result === 'crashed') throw new Error('crashed');
    const entries = entriesOf(world);
    const last = entries.at(-1);
    const timeline = buildTimeline({ entries, now: Date.parse(last?.ts ?? '') + 60_000 });

    expect(timeline.outcome).toBe('completed');
    expect(timeline.servers.map((s) => [s.name, s.state])).toEqual([
      ['web-1', 'done'],
      ['web-2', 'done'],
      ['web-3', 'done'],
    ]);
    const first = timeline.servers[0];
    expect(first?.phases.map((p) => p.phase)).toEqual([
      'draining',
      'drained',
      'patching',
      'rebooting',
      'verifying',
      'restoring',
      'done',
    ]);
    // Each phase ends where the next begins; the end state is a point.
    for (const [index, span] of (first?.phases ?? []).entries()) {
      const next = first?.phases[index + 1];
      if (next !== undefined) expect(span.end).toBe(next.start);
    }
    expect(first?.weights.map((w) => w.weight)).toEqual([0, 10, 50, 100]);
    expect(first?.originalWeight).toBe(100);
    expect(first?.attachments).toEqual([{ loadBalancerId: expect.any(String), weight: 100 }]);
    expect(first?.drain).toMatchObject({ outcome: 'drained', quietSeconds: expect.any(Number) });
    expect(first?.drain?.remainingSeconds).toBeUndefined();
    expect(timeline.runbook.current).toEqual([]);
    expect(new Set(timeline.runbook.steps.map((s) => s.status))).toEqual(new Set(['done']));
    expect(timeline.gates.rules.at(-1)).toContain('the first server that fails halts');
    expect(timeline.gates.verdicts.map((v) => v.passed)).toEqual([true, true, true]);
  });

  it('follows a run cut off while a server drains: the countdown and the current step', async () => {
    const world = new InMemoryWorld(fleet(2));
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    if (result === 'crashed') throw new Error('crashed');
    const all = entriesOf(world);
    const drained = all.findIndex((e) => e.type === 'step' && e.action === 'node.drain');
    const entries = all.slice(0, drained + 1);
    const at = Date.parse(entries.at(-1)?.ts ?? '');
    const live = buildTimeline({ entries, now: at + 2_000, running: true });

    expect(live.outcome).toBe('running');
    const [draining, waiting] = live.servers;
    expect(draining?.state).toBe('draining');
    expect(draining?.phases.at(-1)).toEqual({ phase: 'draining', start: expect.any(String) });
    expect(draining?.drain?.remainingSeconds).toBe((draining?.drain?.timeoutSeconds ?? 0) - 2);
    expect(waiting?.state).toBe('pending');
    const current = live.runbook.steps.filter((s) => s.status === 'current');
    expect(current.map((s) => [s.node, s.id])).toEqual([
      [draining?.id, expect.stringContaining('node.wait-drained')],
    ]);
    expect(live.runbook.steps.at(-1)?.status).toBe('pending');
    // The draining row has the place the page's drain events write the live rate into.
    expect(renderTimeline(live)).toContain(`data-drain-node="${draining?.id}"`);

    // The same journal, read without knowing whether a process holds it.
    const alone = buildTimeline({ entries, now: at + 2_000 });
    expect(alone.outcome).toBe('unfinished');
    // Not running: nothing is in progress, the drain has no countdown.
    const interrupted = buildTimeline({ entries, now: at + 2_000, running: false });
    expect(interrupted.outcome).toBe('interrupted');
    expect(interrupted.runbook.current).toEqual([]);
    expect(interrupted.servers[0]?.drain?.remainingSeconds).toBeUndefined();
  });

  it('names a server left out, with its reason, and marks its remaining steps not run', async () => {
    const faults = noFaults();
    faults.bootFails.add('i-node-2');
    const world = new InMemoryWorld(fleet(3), faults);
    await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    const timeline = buildTimeline({ entries: entriesOf(world), now: Date.now() });
    expect(timeline.outcome).toBe('halted');
    const out = timeline.servers.find((s) => s.id === 'i-node-2');
    expect(out).toMatchObject({ state: 'left-out', reason: 'unreachable' });
    expect(out?.phases.at(-1)?.phase).toBe('left-out');
    expect(out?.attachments[0]?.weight).toBe(0);
    const third = timeline.runbook.steps.filter((s) => s.node === 'i-node-3');
    expect(new Set(third.map((s) => s.status))).toEqual(new Set(['not-run']));
    expect(timeline.runbook.steps.some((s) => s.status === 'failed')).toBe(true);

    const html = renderReport(timeline);
    expect(html).toContain('left out: unreachable');
    expect(html).not.toMatch(/<(link|img|script)\b|src=|href="http/);
    for (const server of timeline.servers) expect(html).toContain(`data-server="${server.id}"`);
  });

  it('escapes what the journal says', async () => {
    const world = new InMemoryWorld(fleet(1));
    await runModel(world, buildPlan(world, { minHealthy: 0, maxUnavailable: 1 }));
    const entries = entriesOf(world);
    const plan = entries[0];
    if (plan?.type !== 'plan') throw new Error('no plan');
    const firstNode = plan.plan.nodes[0];
    if (firstNode === undefined) throw new Error('no node');
    firstNode.name = '<img src=x onerror=alert(1)>';
    const html = renderReport(buildTimeline({ entries, now: Date.now() }));
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
