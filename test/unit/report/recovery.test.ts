/**
 * Recovery time — from a node's failure being journaled to its serving again — as the report
 * and `/metrics` give it, read from the journal alone.
 */
import { describe, expect, it } from 'vitest';
import { applyEntry, initialRunState, type JournalEntry } from '#src/app/index.js';
import { buildReport, formatReport, recoveryOf } from '#src/engine/index.js';
import type { Plan, Step } from '#src/plan/types.js';
import { ServeMetrics } from '#src/serve/metrics/serve-metrics.js';

const node = 'i-web-1';
const at = (second: number) => `2026-12-05T02:00:${String(second).padStart(2, '0')}.000Z`;

function step(id: string, action: Step['action'], rollback?: true): Step {
  return {
    id,
    index: 1,
    action,
    phase: 'rollout',
    batch: 1,
    node,
    description: id,
    mutates: false,
    inverse: { kind: 'none' },
    expectedSeconds: 1,
    ...(rollback ? { rollback } : {}),
  } as Step;
}

function stateAfter(entries: Array<Record<string, unknown>>) {
  const plan = {
    workflow: { name: 'wf', file: 'wf.yaml', sha256: 'x' },
    loadBalancer: { id: 'lb-1', name: 'lb', create: false },
    nodes: [{ id: node, name: 'web-1', batch: 1, weight: 100 }],
    batches: [{ index: 1, nodes: [node] }],
    steps: [
      step('s1-node.wait-healthy', 'node.wait-healthy'),
      step('s2-node.reboot', 'node.reboot', true),
    ],
  } as unknown as Plan;
  const state = initialRunState({
    type: 'plan',
    seq: 1,
    ts: at(0),
    runId: 'r-1',
    sha256: 'x',
    plan,
    redacted: false,
    pid: 1,
    host: 'h',
  });
  entries.forEach((entry, i) => {
    applyEntry(state, { ...entry, seq: i + 2 } as JournalEntry);
  });
  return state;
}

const failed = {
  type: 'step',
  ts: at(10),
  step: 's1-node.wait-healthy',
  node,
  action: 'node.wait-healthy',
  status: 'failed',
  outcome: 'unhealthy',
  detail: 'not healthy',
} as const;

describe('recovery time', () => {
  it('runs from the failed step to the node rolled back, not from a failed rollback step', () => {
    const state = stateAfter([
      { type: 'node-state', ts: at(9), node, from: 'pending', state: 'rebooting' },
      failed,
      { type: 'node-state', ts: at(11), node, from: 'rebooting', state: 'rolling-back' },
      { ...failed, ts: at(20), step: 's2-node.reboot', action: 'node.reboot' },
      { type: 'node-state', ts: at(42), node, from: 'rolling-back', state: 'rolled-back' },
    ]);
    expect(recoveryOf(state, node)).toEqual({
      detectedAt: at(10),
      restoredAt: at(42),
      seconds: 32,
    });
    const lines = formatReport(buildReport(state));
    expect(lines).toContain(
      '      recovery: failure detected 02:00:10, capacity restored 02:00:42 (32 s)',
    );
  });

  it('has no restore time while the node is out, and none at all without a failure', () => {
    const out = stateAfter([
      { type: 'node-state', ts: at(9), node, from: 'pending', state: 'rebooting' },
      failed,
      {
        type: 'node-state',
        ts: at(12),
        node,
        from: 'rebooting',
        state: 'left-out',
        reason: 'unhealthy',
      },
    ]);
    expect(recoveryOf(out, node)).toEqual({ detectedAt: at(10) });
    expect(formatReport(buildReport(out))).toContain(
      '      recovery: failure detected 02:00:10, capacity not restored',
    );
    expect(recoveryOf(stateAfter([]), node)).toBeUndefined();
  });

  it('is observed by /metrics when a node is rolled back', async () => {
    const metrics = new ServeMetrics(() => 0);
    const entries = [
      { type: 'node-state', ts: at(9), node, from: 'pending', state: 'rebooting' },
      failed,
      { type: 'node-state', ts: at(11), node, from: 'rebooting', state: 'rolling-back' },
      { type: 'node-state', ts: at(42), node, from: 'rolling-back', state: 'rolled-back' },
    ] as const;
    const state = stateAfter([]);
    entries.forEach((entry, i) => {
      const full = { ...entry, seq: i + 2 } as JournalEntry;
      applyEntry(state, full);
      metrics.observeEntry(full, state);
    });
    const text = await metrics.text();
    expect(text).toContain('drainctl_recovery_seconds_count 1');
    expect(text).toContain('drainctl_recovery_seconds_sum 32');
  });
});
