/**
 * One server's steps, in the order the runbook prints them and the engine runs them (the order
 * the headers of src/plan/node-steps.ts, src/engine/execution/node-runner.ts and
 * src/engine/execution/executor.ts state): [baseline] → before-hooks → gate → [baseline] →
 * drain → … → restore → after-hooks.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import type { WorkflowSpec } from '#src/workflow/index.js';
import { emulatorWorld } from '#support/observed-inventory.js';
import { loadExample } from '#support/workflows.js';

const seed = loadExample('workflows/kernel-patch.yaml');

function web1Order(change: (spec: WorkflowSpec) => void): string[] {
  const spec = structuredClone(seed.spec);
  spec.hooks = {
    before: [
      { on: 'host', command: 'echo before {name}', timeoutSeconds: 60 },
      { on: 'local', command: 'echo local {instanceId}', timeoutSeconds: 60 },
    ],
    after: [{ on: 'host', command: 'echo after {name}', timeoutSeconds: 60 }],
  };
  change(spec);
  const plan = planRollout(spec, emulatorWorld(), seed.source, sha256Hex);
  const runbook = renderRunbook(plan);
  const steps = plan.steps.filter((s) => s.node === 'i-emu-web-1' && s.phase === 'rollout');
  // The runbook lists them in exactly this order, numbered one after the other.
  const at = steps.map((s) => runbook.indexOf(`${s.index}. ${s.description}`));
  expect(at.every((offset, i) => offset > (at[i - 1] ?? -1))).toBe(true);
  expect(steps.map((s) => s.index)).toEqual(steps.map((_, i) => (steps[0]?.index ?? 0) + i));
  return steps.map((s) => (s.action === 'hook' ? `hook:${s.params.when}` : s.action));
}

const MAINTENANCE = [
  'node.drain',
  'node.wait-drained',
  'node.patch',
  'node.reboot',
  'node.wait-healthy',
  'node.verify',
  'node.restore',
  'hook:after',
];

describe("a server's steps", () => {
  it('ask first whether it is already compliant, then hooks, gate, drain … after-hooks', () => {
    expect(web1Order(() => {})).toEqual([
      'node.capture-baseline',
      'hook:before',
      'hook:before',
      'gate',
      ...MAINTENANCE,
    ]);
  });

  it('record the baseline right before the drain when nothing can tell compliance', () => {
    expect(
      web1Order((spec) => {
        if (spec.patch.verify !== false) spec.patch.verify.skipIfCompliant = false;
      }),
    ).toEqual(['hook:before', 'hook:before', 'gate', 'node.capture-baseline', ...MAINTENANCE]);
  });

  it('have no baseline without a verify command', () => {
    expect(
      web1Order((spec) => {
        spec.patch.verify = false;
        spec.patch.neededWhen = [];
      }),
    ).toEqual([
      'hook:before',
      'hook:before',
      'gate',
      ...MAINTENANCE.filter((a) => a !== 'node.verify'),
    ]);
  });
});
