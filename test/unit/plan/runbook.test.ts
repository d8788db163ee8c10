import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import { balancer, emulatorWorld, OBSERVED_AT } from '#support/observed-inventory.js';
import { loadExample } from '#support/workflows.js';

describe('the runbook', () => {
  const seed = loadExample('workflows/kernel-patch.yaml');
  const plan = planRollout(seed.spec, emulatorWorld(), seed.source, sha256Hex);
  const text = renderRunbook(plan);

  it('starts with what it works on, when it looked, and the plan sha256', () => {
    expect(text).toContain('drainctl runbook: kernel-patch');
    expect(text).toContain('workflows/kernel-patch.yaml');
    expect(text).toContain('cn-hangzhou');
    expect(text).toContain('web-slb (created by this run)');
    expect(text).toContain(OBSERVED_AT);
    expect(text).toContain(`Plan sha256:    ${plan.sha256}`);
  });

  it('lists the gates and the batch order', () => {
    expect(text).toContain('at least 1 healthy, weighted backend(s) stay on the balancer');
    expect(text).toContain('at most 1 server(s) of this run out of service at once');
    expect(text).toMatch(
      /1\. i-emu-web-1 \(web-1, weight 100\)\n {2}2\. i-emu-web-2 \(web-2, weight 100\)/,
    );
  });

  it('numbers every step with its description and its undo, then the total', () => {
    for (const step of plan.steps) {
      expect(text).toContain(`${step.index}. ${step.description}`);
    }
    expect(text.match(/^ +undo: /gm)).toHaveLength(plan.steps.length);
    expect(text).toContain('undo: point www.example.com back at');
    expect(text).toContain('undo: none — a reboot cannot be undone');
    expect(text).toMatch(/Estimated total: \d+ min( \d+ s)?\./);
    expect(text.indexOf('  Prepare')).toBeLessThan(text.indexOf('  Batch 1'));
    expect(text.indexOf('  Batch 2')).toBeLessThan(text.indexOf('  Finish'));
  });

  it('shows groups and warns when the estimate does not fit the window', () => {
    const rolling = loadExample('workflows/rolling-patch-existing-slb.yaml', {
      LOAD_BALANCER_ID: 'lb-emu-1',
    });
    rolling.spec.rollout.window = { end: '2026-11-21T02:01:00Z' };
    const world = emulatorWorld({
      loadBalancer: balancer([1, 2, 3, 4].map((n) => ({ id: `i-emu-web-${n}`, weight: 100 }))),
    });
    const runbook = renderRunbook(planRollout(rolling.spec, world, rolling.source, sha256Hex));
    expect(runbook).toContain(
      'group pair-a: i-emu-web-1, i-emu-web-3 never out of service together',
    );
    expect(runbook).toContain('maintenance window ends 2026-11-21T02:01:00Z');
    expect(runbook).toContain('WARNING: started now, the rollout would need until');
  });
});
