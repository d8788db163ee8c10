/**
 * A workflow's `patch.rollback` in the plan: a step before the patch records what it returns
 * to, the patch step's undo names the rollback, and the rollback's own steps — run only when
 * the patch is rolled back — follow the node's sequence, out of the estimates.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import { undoLine } from '#src/plan/undo.js';
import { emulatorWorld } from '#support/observed-inventory.js';
import { loadExample } from '#support/workflows.js';

const seed = loadExample('workflows/kernel-patch.yaml');
const plan = (spec: typeof seed.spec) => planRollout(spec, emulatorWorld(), seed.source, sha256Hex);

function withRollback(rollback: NonNullable<typeof seed.spec.patch.rollback>) {
  const spec = structuredClone(seed.spec);
  spec.patch.rollback = rollback;
  return plan(spec);
}

describe('patch rollback in the plan', () => {
  it('records the running kernel before the patch and names the rollback as its undo', () => {
    const rolled = withRollback({ kind: 'kernel', timeoutSeconds: 300 });
    const web1 = rolled.steps.filter((s) => s.node === 'i-emu-web-1');
    const actions = web1.map((s) => `${s.rollback ? 'rollback:' : ''}${s.action}`);
    expect(actions.slice(actions.indexOf('node.rollback-point'))).toEqual([
      'node.rollback-point',
      'node.patch',
      'node.reboot',
      'node.wait-healthy',
      'node.verify',
      'node.restore',
      'rollback:node.rollback-patch',
      'rollback:node.reboot',
      'rollback:node.wait-healthy',
      'rollback:node.verify',
      'rollback:node.restore',
    ]);
    const point = web1.find((s) => s.action === 'node.rollback-point');
    expect(point?.params).toMatchObject({ command: 'uname -r' });
    const patch = web1.find((s) => s.action === 'node.patch');
    expect(patch?.inverse).toMatchObject({ kind: 'inverse', action: 'node.rollback-patch' });
    const runbook = renderRunbook(rolled);
    expect(runbook).toContain(`undo: ${undoLine(patch?.inverse ?? { kind: 'none' })}`);
    expect(runbook).toContain(
      "If i-emu-web-1 (web-1)'s patch is rolled back: run on it `grubby --set-default /boot/vmlinuz-{previous}`",
    );
    const verify = web1.find((s) => s.action === 'node.verify' && s.rollback === true);
    expect(verify?.params).toMatchObject({ command: 'uname -r', expect: { kind: 'baseline' } });
  });

  it('does not count the rollback in the estimate', () => {
    const without = plan(seed.spec);
    const rolled = withRollback({ kind: 'kernel', timeoutSeconds: 300 });
    const points = rolled.steps.filter((s) => s.action === 'node.rollback-point');
    const pointSeconds = points.reduce((sum, s) => sum + s.expectedSeconds, 0);
    // The batches run one after the other: each node's point step adds its seconds once.
    expect(rolled.estimate.totalSeconds).toBe(without.estimate.totalSeconds + pointSeconds);
  });

  it('runs custom commands, and leaves a plan without a rollback as it was', () => {
    const rolled = withRollback({
      kind: 'custom',
      commands: ['yum downgrade -y myapp'],
      timeoutSeconds: 120,
    });
    const step = rolled.steps.find((s) => s.action === 'node.rollback-patch');
    expect(step?.params).toMatchObject({ kind: 'custom', commands: ['yum downgrade -y myapp'] });
    const point = rolled.steps.find((s) => s.action === 'node.rollback-point');
    expect(point?.params).toMatchObject({ command: 'uname -r' });
    const without = plan(seed.spec);
    expect(
      without.steps.some((s) => s.rollback === true || s.action === 'node.rollback-point'),
    ).toBe(false);
  });

  it('packages: records the newest transaction before the patch and rolls back to it', () => {
    const rolled = withRollback({ kind: 'packages', timeoutSeconds: 300 });
    const point = rolled.steps.find((s) => s.action === 'node.rollback-point');
    expect(point?.params).toMatchObject({ command: 'yum history list', read: 'transaction-id' });
    const step = rolled.steps.find((s) => s.action === 'node.rollback-patch');
    expect(step?.params).toMatchObject({
      kind: 'packages',
      commands: ['yum history rollback -y {previous}'],
    });
  });
});
