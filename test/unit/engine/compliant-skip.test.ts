/**
 * Already-compliant nodes (opt-in `patch.verify.skipIfCompliant`): a node whose verify output
 * already equals the expectation before anything is done is skipped — no gate, no drain, no
 * patch, no reboot — journaled and reported `skipped (already compliant)`; the others are
 * maintained as usual, and the run completes.
 */
import { describe, expect, it } from 'vitest';
import { formatReport } from '#src/engine/reporting/report.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { resumeModel, runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

/** Three nodes; web-2 already runs the kernel the update stages. */
function world(): { world: InMemoryWorld; target: string } {
  const nodes = fleet(3);
  const target = nodes[0]?.availableKernel ?? '';
  const w = new InMemoryWorld(nodes);
  const host = w.hosts.get('i-node-2');
  if (host) host.kernel = target;
  return { world: w, target };
}

function entries(w: InMemoryWorld): Array<Record<string, unknown> & { seq: number }> {
  return w.journalLines.map((l) => JSON.parse(l));
}

describe('a node already compliant before its drain', () => {
  it('is skipped: no drain, no patch, no reboot; reported and journaled as skipped', async () => {
    const { world: w, target } = world();
    const result = await runModel(
      w,
      buildPlan(w, { minHealthy: 1, maxUnavailable: 1, skipIfCompliant: target }),
    );
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(result.report.nodes.map((n) => [n.id, n.state])).toEqual([
      ['i-node-1', 'done'],
      ['i-node-2', 'skipped'],
      ['i-node-3', 'done'],
    ]);
    expect(w.weightEvents.filter((e) => e.serverId === 'i-node-2')).toEqual([]);
    expect(w.hosts.get('i-node-2')?.rebooted).toBe(false);
    const log = entries(w);
    expect(log.some((e) => e.node === 'i-node-2' && e.type === 'intent')).toBe(false);
    expect(log.some((e) => e.node === 'i-node-2' && e.type === 'gate')).toBe(false);
    expect(log.find((e) => e.type === 'node-state' && e.node === 'i-node-2')).toMatchObject({
      from: 'pending',
      state: 'skipped',
      detail: expect.stringContaining(`already compliant: \`uname -r\` equals ${target}`),
    });
    expect(result.report.nodes[1]).toMatchObject({
      kernelBefore: target,
      weightBefore: 100,
      weightAfter: 100,
    });
    const text = formatReport(result.report).join('\n');
    expect(text).toContain(
      'web-2 (i-node-2) batch 1: skipped (already compliant), weight 100 → 100',
    );
    expect(result.report.summary).toBe('all 3 node(s) done (1 skipped, already compliant)');
  });

  it('a crash right after the skip was journaled: resume does not drain it', async () => {
    const { world: probe, target } = world();
    await runModel(
      probe,
      buildPlan(probe, { minHealthy: 1, maxUnavailable: 1, skipIfCompliant: target }),
    );
    const skippedAt = entries(probe).find(
      (e) => e.type === 'node-state' && e.state === 'skipped',
    )?.seq;
    const { world: w } = world();
    const first = await runModel(
      w,
      buildPlan(w, { minHealthy: 1, maxUnavailable: 1, skipIfCompliant: target }),
      { crashAfterSeq: skippedAt },
    );
    expect(first).toBe('crashed');
    const resumed = await resumeModel(w);
    if (resumed === 'crashed') throw new Error('crashed');
    expect(resumed.report.nodes.map((n) => n.state)).toEqual(['done', 'skipped', 'done']);
    expect(w.weightEvents.filter((e) => e.serverId === 'i-node-2')).toEqual([]);
    expect(w.endState()).toEqual(probe.endState());
  });

  it('a node not yet compliant is maintained and then verified against the same expectation', async () => {
    const { world: w, target } = world();
    const result = await runModel(
      w,
      buildPlan(w, { minHealthy: 1, maxUnavailable: 1, skipIfCompliant: target }),
    );
    if (result === 'crashed') throw new Error('crashed');
    expect(w.hosts.get('i-node-1')?.rebooted).toBe(true);
    expect(result.report.nodes[0]).toMatchObject({ state: 'done', kernelAfter: target });
  });
});
