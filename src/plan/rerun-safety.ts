/**
 * Would running the same workflow again leave alone the servers this run patches? Only when
 * each server's sequence starts by asking whether it is already compliant (the baseline step
 * carries an expectation or `neededWhen` checks). A server this run brings back to a given
 * weight is never skipped in it, whatever the workflow says, so it tells nothing about a re-run.
 * Read from the plan's steps, so what the runbook says is what the engine will do.
 */
import type { Plan, Step } from './types.js';

type BaselineStep = Extract<Step, { action: 'node.capture-baseline' }>;
type VerifyStep = Extract<Step, { action: 'node.verify' }>;

/** One "worth knowing" line when a re-run would drain servers that need nothing; else none. */
export function rerunWarnings(plan: Pick<Plan, 'steps'>): string[] {
  const rollout = plan.steps.filter((s) => s.phase === 'rollout' && s.node !== undefined);
  const drained = new Set(rollout.filter((s) => s.action === 'node.drain').map((s) => s.node));
  for (const node of drained) {
    const ofNode = rollout.filter((s) => s.node === node);
    // Bound for a given weight (found at 0, or below its saved weight): never skipped in this
    // run by design; once it is back, a re-run finds it serving like the others.
    if (ofNode.some((s) => s.action === 'node.restore' && s.params.targetWeight !== undefined)) {
      continue;
    }
    const baseline = ofNode.find((s): s is BaselineStep => s.action === 'node.capture-baseline');
    if (baseline !== undefined && canSkip(baseline)) continue;
    const verify = ofNode.find((s): s is VerifyStep => s.action === 'node.verify');
    return [warningFor(verify)];
  }
  return [];
}

function canSkip(step: BaselineStep): boolean {
  if (step.params.neverSkip === true) return false;
  return step.params.skipIfCompliant !== undefined || step.params.neededWhen !== undefined;
}

function warningFor(verify: VerifyStep | undefined): string {
  if (verify === undefined) {
    return 'A re-run would drain, patch and reboot every server again, patched or not: with patch.verify off nothing tells a server that needs nothing. Turn verify on, with patch.neededWhen checks or with expect: {equals: "<the target version>"}.';
  }
  if (verify.params.expect.kind === 'changed' && verify.params.neededWhen === undefined) {
    return 'A re-run would drain and reboot servers already patched, then leave them out of service (their output would not change): `expect: changed` cannot tell a patched server from one that needs the patch. Add patch.neededWhen, read-only checks that say whether a server needs it (e.g. `yum -q check-update kernel` exits 100, `needs-restarting -r` exits 1), or expect: {equals: "<the target version>"}; see docs/workflows.md.';
  }
  return 'A re-run would drain and patch servers already compliant too: patch.verify.skipIfCompliant is false.';
}
