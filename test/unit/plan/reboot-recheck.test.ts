/**
 * The reboot step's runbook line says that traffic is judged again right before the reboot,
 * with the drain's own probe, quiet period, timeout and policy — or, with `probe: none`, that it
 * is not. The engine reads those from the node's wait-drained step of the same plan.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import type { Step } from '#src/plan/types.js';
import { emulatorWorld } from '#support/observed-inventory.js';
import { loadExample } from '#support/workflows.js';

const seed = loadExample('workflows/kernel-patch.yaml');

function rebootOf(spec: typeof seed.spec): Step {
  const plan = planRollout(spec, emulatorWorld(), seed.source, sha256Hex);
  const step = plan.steps.find((s) => s.action === 'node.reboot' && s.node === 'i-emu-web-1');
  if (step === undefined) throw new Error('no reboot step');
  expect(renderRunbook(plan)).toContain(`${step.index}. ${step.description}`);
  return step;
}

describe('the reboot step in the runbook', () => {
  it('checks the traffic again first, with the drain probe, its quiet period, timeout and policy', () => {
    const { quietSeconds } = seed.spec.drain;
    expect(rebootOf(seed.spec).description).toBe(
      `Check again that no real request reached i-emu-web-1 (web-1) since it was judged drained (the drain's probe, still open), else wait until none for ${quietSeconds} s (within 2 min; if real traffic keeps arriving during the patch it is not rebooted: it stays at weight 0 and the rollout halts); then reboot i-emu-web-1 (web-1) via Cloud Assistant and wait until it runs again (within 5 min, else it stays at weight 0 and the rollout halts)`,
    );
  });

  it('without patch commands: a node not rebooted goes back to its weight (its host is untouched)', () => {
    const spec = structuredClone(seed.spec);
    spec.patch.commands = [];
    expect(rebootOf(spec).description).toContain(
      '(within 2 min; if real traffic keeps arriving since the drain it is not rebooted: it goes back to weight 100 and the rollout halts); then reboot',
    );
  });

  it('with onTimeout proceed: rebooted anyway after the timeout', () => {
    const spec = structuredClone(seed.spec);
    spec.drain.onTimeout = 'proceed';
    expect(rebootOf(spec).description).toContain('(within 2 min; then it is rebooted anyway)');
  });

  it('with the connection probe: no connection open on the port', () => {
    const spec = structuredClone(seed.spec);
    spec.drain.probe = { kind: 'connections', port: 8080, ignoreCidrs: ['100.64.0.0/10'] };
    expect(rebootOf(spec).description).toMatch(
      /^Check again that no connection is open on i-emu-web-1 \(web-1\) port 8080, else wait until none for \d+ s/,
    );
  });

  it('with probe none: says that nothing is re-checked', () => {
    const spec = structuredClone(seed.spec);
    spec.drain.probe = { kind: 'none', waitSeconds: 30 };
    expect(rebootOf(spec).description).toMatch(
      /^Without re-checking traffic \(no drain probe\), reboot i-emu-web-1 \(web-1\) via Cloud Assistant/,
    );
  });
});
