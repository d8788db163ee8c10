/**
 * nginx's binary hot upgrade on a node, one plan step at a time through the NginxUpgrade port,
 * each journaled as an intent and its result. A step that fails before the old master was told
 * to QUIT takes the way back at once (the step's undo, journaled as its compensation); the node
 * then stays at weight 0 and the rollout halts, as after any failed patch.
 *
 * Resume: a step whose intent has no result is taken again, and each step decides from the two
 * pid files what is left to do (USR2 is not sent again while `.oldbin` names a running master);
 * a step that finds nginx in no state to go on fails, and its failure takes the way back.
 */
import type { Step } from '../../plan/types.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok } from '../execution/run-context.js';
import { compensationMark } from './compensation-mark.js';
import { journaled, takeWayBack, targetOf } from './nginx-upgrade-calls.js';
import { stillInService } from './out-of-service.js';

type UpgradeStep = Extract<Step, { action: 'node.nginx-upgrade' }>;

export async function runNginxUpgrade(ctx: RunContext, step: UpgradeStep): Promise<StepOutcome> {
  const node = step.node ?? '';
  const { step: name, upgrade } = step.params;
  const port = ctx.ports.nginxUpgrade;
  if (port === undefined) {
    return failed('patch-failed', `nginx ${name} not taken: this drainctl has no nginx upgrade`);
  }
  if (name === 'install') {
    // Never replace the binary of a server someone has put back into service.
    const serving = await stillInService(ctx, node);
    if (serving !== undefined) return failed('drift', `nginx upgrade not started: ${serving}`);
  }
  await ctx.moveNode(node, 'patching');
  const target = targetOf(ctx, step);
  const outcome = await journaled(ctx, step, step.id, { step: name }, () =>
    port.step(target, name, upgrade),
  );
  if (outcome.done) return ok(`nginx ${name}: ${outcome.detail}`);
  if (name === 'quit-old') return failed('patch-failed', `nginx ${name}: ${outcome.error}`);
  // The compensation table's own entry for this action, called directly: the table also runs a
  // patch's rollback, whose steps include this one.
  const back = await takeWayBack(ctx, step, compensationMark(step));
  return failed(
    'patch-failed',
    `nginx ${name} failed: ${outcome.error}; ${back.kind === 'undone' ? `way back taken: ${back.detail}` : `the way back failed too: ${back.detail}`}`,
  );
}
