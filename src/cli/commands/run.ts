/**
 * `drainctl run <workflow>`: load and validate the workflow, observe, plan, show the runbook,
 * get confirmation, take the balancer's lock, execute the plan, report. Exit 0 done, 2 halted
 * in a safe state, 1 error, 3 invalid input (nothing changed).
 */
import type { Command } from 'commander';
import {
  notifyChannelLines,
  planAnyWorkflowFile,
  refuseUnlessApproved,
  runPlan,
  withRunStorage,
} from '../../app/index.js';
import { ensureWritableHome } from '../../config/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { renderRunbook } from '../../plan/index.js';
import type { CliContext } from '../cli-context.js';
import { runProgressWiring } from '../live-progress.js';
import { confirmOrRefuse, printRunResult, refuseUnlessConfirmable } from '../run-io.js';
import {
  addZeroWeightFlags,
  type ZeroWeightFlags,
  zeroWeightChoices,
} from '../zero-weight-flags.js';

interface RunOptions extends ZeroWeightFlags {
  yes?: boolean;
  json?: boolean;
  planSha256?: string;
  rehearsal?: string;
  breakStaleLock?: boolean;
  newRun?: boolean;
  /** False with --no-live: plain progress lines even on a terminal. */
  live: boolean;
}

export function registerRun(program: Command, ctx: CliContext): void {
  const command = program
    .command('run')
    .description('execute a workflow: drain, patch, reboot, verify and restore, batch by batch')
    .argument('<workflow>', 'workflow YAML file')
    .option(
      '--yes',
      'do not ask for confirmation (required when stdin is not a terminal; add --plan-sha256 so only the reviewed plan runs)',
    )
    .option('--json', 'print the run report as one JSON document')
    .option(
      '--plan-sha256 <hex>',
      'refuse to run unless the plan is exactly the approved one (its sha256 from `drainctl plan`)',
    )
    .option(
      '--rehearsal <report.json>',
      'refuse to run unless the plan is the one `drainctl rehearse --json` rehearsed (its report)',
    )
    .option(
      '--break-lock, --break-stale-lock',
      "take over the balancer's lock when its holder cannot be proven alive (its pid is dead on this host, or another host's heartbeat is old); never a live holder's",
    )
    .option(
      '--no-live',
      'print plain progress lines (one per change) instead of redrawing a live view on the terminal',
    )
    .option(
      '--new-run',
      'start even though the last run on this balancer halted or was interrupted (it stays as it is; resume it instead if you can)',
    );
  addZeroWeightFlags(command)
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 2 halted in a safe state (see `drainctl status`), 1 error, 3 invalid input\n(also UNFINISHED_RUN: an earlier run on this balancer needs `drainctl resume <id>` or --new-run).',
    )
    .action(async (workflow: string, options: RunOptions) => {
      const approved = options.planSha256?.trim().toLowerCase();
      if (approved !== undefined && !/^[0-9a-f]{64}$/.test(approved)) {
        throw new InvalidInputError(
          `--plan-sha256: expected 64 hex digits, found "${options.planSha256}"`,
          {
            path: '--plan-sha256',
            expected: 'the sha256 printed by `drainctl plan` (64 hex digits)',
            found: options.planSha256 ?? '',
          },
        );
      }
      const unattended = `review the runbook with \`drainctl plan ${workflow}\`, then run exactly that plan without a terminal: \`drainctl run ${workflow} --yes --plan-sha256 ${approved ?? '<its sha256>'}\``;
      refuseUnlessConfirmable({ yes: options.yes === true, unattended });
      const environment = ctx.environment();
      ensureWritableHome(environment.home);
      // With DRAINCTL_DATABASE_URL the planning, too, keeps to the limits every replica shares.
      const result = await withRunStorage(environment, ctx.logger, async (shared) => {
        const { plan, workflow: loaded } = await planAnyWorkflowFile(workflow, {
          env: process.env,
          cwd: process.cwd(),
          environment,
          logger: ctx.logger,
          choices: zeroWeightChoices(options),
          ...(shared === undefined ? {} : { rateBuckets: shared.rateBuckets }),
        });
        refuseUnlessApproved(plan, approved);
        if (options.rehearsal !== undefined) {
          const { readRehearsalReport, refuseUnlessRehearsed } = await import(
            '../../app/rehearsal-report.js'
          );
          const report = await readRehearsalReport(options.rehearsal);
          refuseUnlessRehearsed(plan, report, options.rehearsal);
        }
        // The runbook goes where people look; with --json stdout holds only the one document.
        const out = options.json ? ctx.stderr : ctx.stdout;
        out.line(renderRunbook(plan).trimEnd());
        for (const line of notifyChannelLines(loaded.spec.notify)) out.line(line);
        out.line(`plan sha256 ${plan.sha256}`);
        await confirmOrRefuse('Execute this plan?', { yes: options.yes === true, unattended });
        const progress = runProgressWiring(ctx, {
          json: options.json === true,
          live: options.live !== false,
        });
        return runPlan(plan, {
          home: environment.home,
          environment,
          env: process.env,
          logger: progress.logger,
          signal: ctx.signal,
          breakStaleLock: options.breakStaleLock,
          newRun: options.newRun === true,
          ...(loaded.spec.notify === undefined ? {} : { notify: loaded.spec.notify }),
          afterAppend: progress.afterAppend,
          ...(shared === undefined ? {} : { shared }),
        }).finally(() => progress.view.stop());
      });
      printRunResult(ctx, result, options.json === true);
    });
}
