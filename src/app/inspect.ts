/**
 * `drainctl inspect <workflow> [--json]`: a read-only pre-flight. Shows what drainctl sees live
 * (balancer or "will be created", listeners, backends with weights and health, instances, the
 * DNS record) and checks it against the workflow, line by line. Exit 0 when every check passes,
 * 2 when one fails, 3 when the workflow is invalid. Changes nothing.
 */
import type { Command } from 'commander';
import { cloudPortsOptionsFrom, createCloudPorts } from '../adapters/index.js';
import type { CliContext } from '../cli/cli-context.js';
import { type InspectReport, renderInspect } from '../cli/commands/inspect-render.js';
import type { DrainctlEnvironment } from '../config/index.js';
import { sha256Hex } from '../engine/sha256.js';
import { DrainctlError, ExitCode, InvalidInputError } from '../errors/index.js';
import { type Logger, registerSecret } from '../log/index.js';
import { planRollout, rerunWarnings } from '../plan/index.js';
import type { ObservedInventory } from '../plan/types.js';
import { inspectChecklist, unobservedChecklist } from './inspect-checklist.js';
import { type InventoryPorts, observeInventory } from './observe-inventory.js';
import { loadWorkflow } from './workflow-file.js';

export interface InspectOptions {
  env: Readonly<Record<string, string | undefined>>;
  environment: DrainctlEnvironment;
  logger?: Logger;
  /** Observe through these instead of the cloud adapters the environment selects. */
  ports?: InventoryPorts;
}

/**
 * Load the workflow, observe the world read-only and check one against the other.
 *
 * @example const report = await inspectWorkflowFile('workflows/kernel-patch.yaml', options);
 */
export async function inspectWorkflowFile(
  file: string,
  options: InspectOptions,
): Promise<InspectReport> {
  const workflow = await loadWorkflow(file, options.env);
  for (const secret of workflow.secrets) registerSecret(secret);
  const { spec } = workflow;
  const base = {
    workflow: { file, name: spec.name },
    region: spec.region,
    ...(spec.loadBalancer.create ? { createsBalancer: spec.loadBalancer.create.name } : {}),
  };
  let inventory: ObservedInventory;
  try {
    const ports =
      options.ports ??
      createCloudPorts(
        cloudPortsOptionsFrom(options.environment, spec.region, {
          ...(options.logger === undefined ? {} : { logger: options.logger }),
        }),
      );
    inventory = await observeInventory(spec, ports, { file });
  } catch (error) {
    // A workflow that cannot work is exit 3; a cloud that cannot be read is a failed check.
    if (error instanceof InvalidInputError || !(error instanceof DrainctlError)) throw error;
    return { ...base, checklist: unobservedChecklist(error.code, oneLine(error)), ok: false };
  }
  let planner: { ok: true; notes: string[] } | { ok: false; problems: string[] };
  try {
    const plan = planRollout(spec, inventory, { file, text: workflow.source.text }, sha256Hex);
    planner = { ok: true, notes: rerunWarnings(plan) };
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    planner = { ok: false, problems: plannerProblems(error) };
  }
  const checklist = inspectChecklist(spec, inventory, planner);
  return { ...base, inventory, checklist, ok: checklist.every((line) => line.status !== 'fail') };
}

export function registerInspect(program: Command, ctx: CliContext): void {
  program
    .command('inspect')
    .description(
      'read-only pre-flight: what drainctl sees live, and a checklist against the workflow',
    )
    .argument('<workflow>', 'workflow YAML file')
    .option('--json', 'print inventory and checklist as one JSON document')
    .addHelpText(
      'after',
      '\nExit codes: 0 every check passes, 2 a check fails, 3 invalid workflow.',
    )
    .action(async (file: string, options: { json?: boolean }) => {
      const report = await inspectWorkflowFile(file, {
        env: process.env,
        environment: ctx.environment(),
        logger: ctx.logger,
      });
      if (options.json) ctx.stdout.json(report);
      else renderInspect(report, ctx.stdout);
      ctx.setExitCode(report.ok ? ExitCode.ok : ExitCode.halted);
    });
}

function oneLine(error: DrainctlError): string {
  return `${error.code}: ${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}`;
}

function plannerProblems(error: InvalidInputError): string[] {
  if (error.issues.length === 0) return [error.message];
  return error.issues.map(
    (issue) =>
      `${issue.path}: expected ${issue.expected}${issue.found ? `, found ${issue.found}` : ''}`,
  );
}
