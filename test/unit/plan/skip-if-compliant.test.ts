/**
 * Already-compliant servers in the plan: whenever the workflow gives a way to tell one — verify
 * `equals`/`matches`, or `patch.neededWhen` checks — the baseline becomes each server's first
 * step and carries the test, so a compliant server is skipped before its gate, hooks or drain
 * (`skipIfCompliant: false` opts out). `expect: changed` without checks cannot tell: its plan
 * (and sha256) is as before, and the runbook says a re-run would drain patched servers.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { planRollout, renderRunbook, rerunWarnings, type Step } from '#src/plan/index.js';
import type { WorkflowSpec } from '#src/workflow/index.js';
import { emulatorWorld } from '#support/observed-inventory.js';
import { loadExample } from '#support/workflows.js';

const TARGET = '3.10.0-1160.119.1.el7.x86_64';
const CHECKS = [
  { command: 'yum -q check-update kernel', exitCode: 100, timeoutSeconds: 60 },
  { command: 'needs-restarting -r', exitCode: 1, timeoutSeconds: 60 },
];

const seed = loadExample('workflows/kernel-patch.yaml');

function planWith(change: (spec: WorkflowSpec) => void) {
  const spec = structuredClone(seed.spec);
  change(spec);
  return planRollout(spec, emulatorWorld(), seed.source, sha256Hex);
}

function web1(plan: { steps: Step[] }): Step[] {
  return plan.steps.filter((s) => s.node === 'i-emu-web-1' && s.phase === 'rollout');
}

const equalsTarget = (spec: WorkflowSpec, skipIfCompliant?: boolean) => {
  spec.patch.neededWhen = [];
  spec.patch.verify = {
    command: 'uname -r',
    expect: { equals: TARGET },
    timeoutSeconds: 60,
    ...(skipIfCompliant === undefined ? {} : { skipIfCompliant }),
  };
};
const changedOnly = (spec: WorkflowSpec) => {
  spec.patch.neededWhen = [];
};

describe('the compliance test before each server', () => {
  it('equals/matches: the baseline comes first with the expectation, by default', () => {
    const plan = planWith((spec) => equalsTarget(spec));
    const steps = web1(plan);
    expect(steps[0]).toMatchObject({
      action: 'node.capture-baseline',
      params: { skipIfCompliant: { kind: 'equals', value: TARGET } },
    });
    expect(steps[0]?.params).not.toHaveProperty('neededWhen');
    expect(steps[1]?.action).toBe('gate');
    expect(renderRunbook(plan)).toContain(
      `Record \`uname -r\` on i-emu-web-1 (web-1) as the baseline; if it already equals "${TARGET}", skip i-emu-web-1 (web-1) (no gate, hooks, drain, patch or reboot)`,
    );
    expect(rerunWarnings(plan)).toEqual([]);
    // The explicit `true` of older workflows plans the very same thing.
    expect(planWith((spec) => equalsTarget(spec, true)).sha256).toBe(plan.sha256);
  });

  it('skipIfCompliant: false opts out: gate first, no test, and the runbook says what a re-run does', () => {
    const plan = planWith((spec) => equalsTarget(spec, false));
    const steps = web1(plan);
    expect(steps.map((s) => s.action).slice(0, 2)).toEqual(['gate', 'node.capture-baseline']);
    expect(steps[1]?.params).not.toHaveProperty('skipIfCompliant');
    expect(renderRunbook(plan)).toContain(
      'A re-run would drain and patch servers already compliant too: patch.verify.skipIfCompliant is false.',
    );
  });

  it('changed with neededWhen (the example): the checks come first; a server drained is one they called needed, so unchanged is unpatched', () => {
    const plan = planRollout(seed.spec, emulatorWorld(), seed.source, sha256Hex);
    const steps = web1(plan);
    expect(steps[0]).toMatchObject({
      action: 'node.capture-baseline',
      params: { command: 'uname -r', neededWhen: CHECKS },
    });
    expect(steps[0]?.params).not.toHaveProperty('skipIfCompliant');
    expect(steps[1]?.action).toBe('gate');
    const verify = steps.find((s) => s.action === 'node.verify');
    expect(verify?.params).toMatchObject({ expect: { kind: 'changed' } });
    expect(verify?.params).not.toHaveProperty('neededWhen');
    const text = renderRunbook(plan);
    expect(text).toContain(
      'Record `uname -r` on i-emu-web-1 (web-1) as the baseline, then ask whether i-emu-web-1 (web-1) needs the patch (`yum -q check-update kernel` exits 100 if needed, 0 if not; `needs-restarting -r` exits 1 if needed, 0 if not; any other exit halts with i-emu-web-1 (web-1) untouched); if no check says so, skip i-emu-web-1 (web-1) (no gate, hooks, drain, patch or reboot)',
    );
    expect(text).toContain(
      'Check `uname -r` on i-emu-web-1 (web-1) differs from the baseline (else it stays at weight 0 and the rollout halts)',
    );
    expect(text).not.toContain('A re-run would');
  });

  it('equals with neededWhen: both must agree before a server is skipped', () => {
    const plan = planWith((spec) => {
      spec.patch.verify = { command: 'uname -r', expect: { equals: TARGET }, timeoutSeconds: 60 };
    });
    const [baseline] = web1(plan);
    expect(baseline?.params).toMatchObject({
      skipIfCompliant: { kind: 'equals', value: TARGET },
      neededWhen: CHECKS,
    });
    expect(baseline?.description).toContain(
      `; if it already equals "${TARGET}" and no check says so, skip`,
    );
    // After the patch, equals is judged on the output alone.
    expect(web1(plan).find((s) => s.action === 'node.verify')?.params).not.toHaveProperty(
      'neededWhen',
    );
  });

  it('changed with neededWhen and skipIfCompliant: false: never skipped; the checks record how it was found, and judge an unchanged output', () => {
    const plan = planWith((spec) => {
      if (spec.patch.verify !== false) spec.patch.verify.skipIfCompliant = false;
    });
    const steps = web1(plan);
    expect(steps.map((s) => s.action).slice(0, 2)).toEqual(['gate', 'node.capture-baseline']);
    expect(steps[1]?.params).toMatchObject({ neededWhen: CHECKS, neverSkip: true });
    expect(steps[1]?.description).toContain(
      'only to know how it was found: it is maintained whatever they answer',
    );
    expect(steps.find((s) => s.action === 'node.verify')?.params).toMatchObject({
      neededWhen: CHECKS,
    });
    expect(steps.find((s) => s.action === 'node.verify')?.description).toContain(
      'if it is unchanged and the checks found i-emu-web-1 (web-1) current before its drain',
    );
    expect(renderRunbook(plan)).toContain(
      'A re-run would drain and patch servers already compliant',
    );
  });

  it('changed without checks: the plan is as before, and the runbook says a re-run drains patched servers and how to fix it', () => {
    const plan = planWith(changedOnly);
    const steps = web1(plan);
    expect(steps.map((s) => s.action).slice(0, 2)).toEqual(['gate', 'node.capture-baseline']);
    expect(steps[1]?.params).toEqual({
      host: { kind: 'ecs', instanceId: 'i-emu-web-1' },
      command: 'uname -r',
      timeoutSeconds: 60,
    });
    expect(steps.find((s) => s.action === 'node.verify')?.params).not.toHaveProperty('neededWhen');
    // skipIfCompliant: false changes nothing here: there was nothing to skip by.
    const optedOut = planWith((spec) => {
      changedOnly(spec);
      if (spec.patch.verify !== false) spec.patch.verify.skipIfCompliant = false;
    });
    expect(optedOut.sha256).toBe(plan.sha256);
    const text = renderRunbook(plan);
    expect(text).toContain('Already in place, or worth knowing:');
    expect(text).toContain(
      '  - A re-run would drain and reboot servers already patched, then leave them out of service',
    );
    expect(text).toContain('Add patch.neededWhen');
    expect(text).toContain('`yum -q check-update kernel` exits 100');
  });

  it('verify off: nothing tells, and the runbook says so', () => {
    const plan = planWith((spec) => {
      spec.patch.neededWhen = [];
      spec.patch.verify = false;
    });
    expect(web1(plan).some((s) => s.action === 'node.capture-baseline')).toBe(false);
    expect(rerunWarnings(plan)).toEqual([
      expect.stringContaining('A re-run would drain, patch and reboot every server again'),
    ]);
  });
});
