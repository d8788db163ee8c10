/**
 * The `inspect` use case: a read-only pre-flight. What drainctl sees live (balancer or "will be
 * created", listeners, backends with weights and health, instances, the DNS record), checked
 * against the workflow line by line (inspect-checklist.ts). A workflow that cannot work is
 * invalid input; a cloud that cannot be read is a failed check. Changes nothing.
 */
import type { DrainctlEnvironment } from '../config/index.js';
import { sha256Hex } from '../engine/sha256.js';
import { DrainctlError, InvalidInputError } from '../errors/index.js';
import { type Logger, registerSecret } from '../log/index.js';
import { planRollout, rerunWarnings } from '../plan/index.js';
import type { ObservedInventory } from '../plan/types.js';
import type { RateBuckets } from '../ports/index.js';
import { workflowObservationPorts } from './composition-root.js';
import { type CheckLine, inspectChecklist, unobservedChecklist } from './inspect-checklist.js';
import { type InventoryPorts, observeInventory } from './observe-inventory.js';
import { loadWorkflow } from './workflow-file.js';

/** What `inspect` found: the observation and the checklist (the `--json` document as it is). */
export interface InspectReport {
  workflow: { file: string; name: string };
  region: string;
  /** Absent when nothing could be read (credentials, region, network). */
  inventory?: ObservedInventory;
  /** What the workflow would create, for the balancer section. */
  createsBalancer?: string;
  checklist: CheckLine[];
  ok: boolean;
}

export interface InspectOptions {
  env: Readonly<Record<string, string | undefined>>;
  environment: DrainctlEnvironment;
  logger?: Logger;
  /** Observe through these instead of the cloud adapters the environment selects. */
  ports?: InventoryPorts;
  /** Replicas: observe within the API rate limits every replica shares (the database's buckets). */
  rateBuckets?: RateBuckets;
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
      workflowObservationPorts(
        spec,
        options.environment,
        options.env,
        options.logger,
        undefined,
        options.rateBuckets,
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
