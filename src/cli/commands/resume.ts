/**
 * `drainctl resume <run-id>`: reconcile the run's journal with the live state, then continue
 * (or finish stopping) it. Refused while another live process holds the balancer's lock.
 */
import type { Command } from 'commander';
import { crashHookFromEnv, readRunStatus, resumeRun } from '../../engine/index.js';
import { registerSecret } from '../../log/index.js';
import { type Plan, planRollout } from '../../plan/index.js';
import { loadWorkflow } from '../../spec/index.js';
import type { CliContext } from '../context.js';
import { confirmOrRefuse, printRunResult } from '../run-io.js';
import { createRuntime } from '../runtime.js';

export function registerResume(program: Command, ctx: CliContext): void {
  program
    .command('resume')
    .description('reconcile a run journal with the live state, then continue or roll back')
    .argument('<run-id>', 'id of the run (see `drainctl status`)')
    .option('--yes', 'do not ask for confirmation')
    .option('--json', 'print the run report as one JSON document')
    .option(
      '--break-lock, --break-stale-lock',
      "take over the balancer's lock when its holder cannot be proven alive (another host's old heartbeat, another run's dead pid); this run's own dead process is taken over anyway",
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 2 halted in a safe state, 1 error, 3 invalid input.',
    )
    .action(
      async (
        runId: string,
        options: { yes?: boolean; json?: boolean; breakStaleLock?: boolean },
      ) => {
        const environment = ctx.environment();
        const status = await readRunStatus(environment.home, runId);
        const out = options.json ? ctx.stderr : ctx.stdout;
        out.line(
          `run ${runId} (${status.report.workflow}), last written ${status.report.updatedAt}:`,
        );
        for (const n of status.report.nodes) out.line(`  ${n.name} (${n.id}): ${n.state}`);
        await confirmOrRefuse('Reconcile with the live state and continue this run?', {
          yes: options.yes === true,
        });
        const plan = status.state.plan;
        const { ports } = createRuntime({
          environment,
          region: plan.region,
          logger: ctx.logger,
          env: process.env,
        });
        const crashHook = crashHookFromEnv(process.env);
        const result = await resumeRun(runId, {
          home: environment.home,
          ports,
          logger: ctx.logger,
          signal: ctx.signal,
          breakStaleLock: options.breakStaleLock === true,
          ...(crashHook ? { journal: { afterAppend: crashHook } } : {}),
          recoverPlan: (journaled) => replan(journaled),
        });
        printRunResult(ctx, result, options.json === true);
      },
    );
}

/**
 * A journaled plan with a masked secret is rebuilt from its workflow and the very inventory it
 * was made from (the planner is pure), so the same plan — same sha256 — comes back.
 */
async function replan(journaled: Plan): Promise<Plan> {
  const workflow = await loadWorkflow(journaled.workflow.file, process.env);
  for (const secret of workflow.secrets) registerSecret(secret);
  return planRollout(workflow.spec, journaled.inventory, {
    file: journaled.workflow.file,
    text: workflow.source.text,
  });
}
