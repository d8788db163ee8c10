/**
 * `drainctl plan <workflow> [--json]`: the runbook drainctl would execute (src/app/plan.ts), or
 * the plan as one JSON document; for a fleet workflow, the survey of every selected server's
 * attachments. Changes nothing.
 */
import type { Command } from 'commander';
import {
  notifyChannelLines,
  planAnyWorkflowFile,
  withObservationBuckets,
} from '../../app/index.js';
import { renderFleetSurvey, renderRunbook } from '../../plan/index.js';
import type { CliContext } from '../cli-context.js';
import {
  addZeroWeightFlags,
  type ZeroWeightFlags,
  zeroWeightChoices,
} from '../zero-weight-flags.js';

export function registerPlan(program: Command, ctx: CliContext): void {
  const command = program
    .command('plan')
    .description('print the runbook drainctl would execute for a workflow; changes nothing')
    .argument('<workflow>', 'workflow YAML file')
    .option('--json', 'print the plan as one JSON document, with its sha256');
  addZeroWeightFlags(command)
    .addHelpText(
      'after',
      '\nExit codes: 0 plan printed, 3 invalid workflow (the message names the file and the path inside it).',
    )
    .action(async (workflow: string, options: { json?: boolean } & ZeroWeightFlags) => {
      const environment = ctx.environment();
      const planned = await withObservationBuckets(environment, ctx.logger, (rateBuckets) =>
        planAnyWorkflowFile(workflow, {
          env: process.env,
          cwd: process.cwd(),
          environment,
          logger: ctx.logger,
          choices: zeroWeightChoices(options),
          ...(rateBuckets === undefined ? {} : { rateBuckets }),
        }),
      );
      if (planned.kind === 'fleet') {
        const { survey, plan } = planned;
        ctx.logger.debug({ workflow, sha256: plan.sha256, survey: survey.sha256 }, 'planned');
        if (options.json) ctx.stdout.json({ ...survey, plan });
        else {
          ctx.stdout.line(renderFleetSurvey(survey).trimEnd());
          ctx.stdout.line('');
          ctx.stdout.line(renderRunbook(plan).trimEnd());
        }
        return;
      }
      const { plan, workflow: loaded } = planned;
      ctx.logger.debug({ workflow, sha256: plan.sha256, steps: plan.steps.length }, 'planned');
      if (options.json) ctx.stdout.json(plan);
      else {
        ctx.stdout.line(renderRunbook(plan).trimEnd());
        for (const line of notifyChannelLines(loaded.spec.notify)) ctx.stdout.line(line);
      }
    });
}
