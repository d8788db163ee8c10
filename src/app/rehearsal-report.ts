/**
 * A rehearsal's report: what was mirrored and planned, how the run on the mirror went under load
 * and faults, and which of the run's promises held — and the one check a real run makes of it
 * (`drainctl run … --rehearsal report.json`): the plan about to run is the plan rehearsed.
 */
import { readFile } from 'node:fs/promises';
import type { RunReport } from '../engine/index.js';
import { InvalidInputError } from '../errors/index.js';
import type { PlanDifferences } from '../plan/index.js';
import type { Plan } from '../plan/types.js';
import type { RehearsalFaultSpec } from './rehearsal-faults.js';

export const REHEARSAL_REPORT_KIND = 'drainctl-rehearsal';

export interface RehearsalPromise {
  promise: string;
  held: boolean;
  detail: string;
}

export interface RehearsalReport {
  kind: typeof REHEARSAL_REPORT_KIND;
  workflow: string;
  /** The plan against the real account: what `drainctl run` must make again to be let through. */
  planSha256: string;
  /** The plan against the mirror, in the real account's addresses. */
  mirrorPlanSha256: string;
  samePlan: boolean;
  differences: PlanDifferences;
  /** What the run on the mirror executed: the same plan with the mirror's addresses and logs. */
  runPlanSha256: string;
  mirror: {
    instances: number;
    loadBalancerId?: string;
    listeners: number;
    record?: { name: string; value: string; ttl: number };
    /** What the mirror does not copy, and what it changed in the workflow to run there. */
    notes: string[];
  };
  timeCompression: { factor: number; realSeconds: number; compressedSeconds: number };
  load: {
    ratePerSecond: number;
    total: number;
    ok: number;
    failed: number;
    failures: Array<{ at: string; target: string; reason: string; servedBy?: string }>;
  };
  faults: Array<{ spec: string; injected: Record<string, unknown>; effect: string }>;
  run: Pick<RunReport, 'runId' | 'outcome' | 'summary' | 'haltReason'> & {
    nodes: Array<{
      id: string;
      name: string;
      state: string;
      weightAfter?: number;
      reason?: string;
      detail?: string;
    }>;
  };
  promises: RehearsalPromise[];
  everyPromiseHeld: boolean;
  startedAt: string;
}

type ReportNode = RehearsalReport['run']['nodes'][number];

/** "web-7 left out at weight 0 (unhealthy)", "web-3 patched, back at weight 100"; the run's summary has the details. */
function nodeFate(node: ReportNode): string {
  const weight = node.weightAfter === undefined ? '' : ` at weight ${node.weightAfter}`;
  if (node.state === 'done') return `${node.name} patched, back${weight}`;
  if (node.state === 'pending') return `${node.name} untouched`;
  const state = node.state === 'left-out' ? 'left out' : node.state.replaceAll('-', ' ');
  return `${node.name} ${state}${weight}${node.reason === undefined ? '' : ` (${node.reason})`}`;
}

/** "web-8…web-20" for a long run of names, else the names. */
function names(nodes: ReportNode[]): string {
  if (nodes.length > 3) return `${nodes[0]?.name}…${nodes[nodes.length - 1]?.name}`;
  return nodes.map((node) => node.name).join(', ');
}

function nightFate(run: RehearsalReport['run']): string {
  const untouched = run.nodes.filter((node) => node.state === 'pending');
  const night =
    run.outcome === 'completed' ? 'night completed' : `night ${run.outcome.replaceAll('-', ' ')}`;
  return untouched.length === 0 ? night : `${night}, ${names(untouched)} untouched`;
}

/**
 * What a fault did, in one line: the faulted server's fate and the night's, or for an API fault
 * how often the cloud answered it and how the night ended.
 */
export function faultEffect(
  fault: RehearsalFaultSpec,
  instanceId: string | undefined,
  run: RehearsalReport['run'],
  calls: ReadonlyMap<string, { total: number; failed: Map<string, number> }>,
): string {
  if (instanceId !== undefined) {
    const node = run.nodes.find((candidate) => candidate.id === instanceId);
    const fate = node === undefined ? `${instanceId} is not in the plan` : nodeFate(node);
    return `${fate}, ${nightFate(run)}`;
  }
  const action = 'action' in fault ? fault.action : '';
  const seen = calls.get(action);
  if (fault.kind === 'throttle') {
    const throttled = seen?.failed.get('Throttling.User') ?? 0;
    return `${action} answered Throttling.User ${throttled} time${throttled === 1 ? '' : 's'} of ${seen?.total ?? 0} calls, ${nightFate(run)}`;
  }
  return `${seen?.total ?? 0} ${action} call${seen?.total === 1 ? '' : 's'} each waited ${'ms' in fault ? fault.ms : 0} ms, ${nightFate(run)}`;
}

/** Reads a rehearsal report for `run --rehearsal`; a file that is not one is invalid input. */
export async function readRehearsalReport(file: string): Promise<RehearsalReport> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InvalidInputError(`${file}: cannot read it as JSON (${(error as Error).message})`, {
      file,
      path: '--rehearsal',
      expected: 'the JSON report of `drainctl rehearse --json`',
      found: (error as Error).message,
      cause: error,
    });
  }
  const report = parsed as Partial<RehearsalReport> | null;
  if (
    report === null ||
    typeof report !== 'object' ||
    report.kind !== REHEARSAL_REPORT_KIND ||
    typeof report.mirrorPlanSha256 !== 'string'
  ) {
    throw new InvalidInputError(
      `${file}: kind: expected a rehearsal report (kind "${REHEARSAL_REPORT_KIND}" with mirrorPlanSha256)`,
      {
        file,
        path: 'kind',
        expected: `"${REHEARSAL_REPORT_KIND}"`,
        found: JSON.stringify(report?.kind ?? null),
      },
    );
  }
  return report as RehearsalReport;
}

/**
 * Refuses (invalid input, exit 3) a plan that is not the one the report rehearsed: the plan made
 * against the mirror, in the account's addresses. A rehearsal whose mirror planned differently
 * from the account rehearsed another plan, and is refused too.
 */
export function refuseUnlessRehearsed(plan: Plan, report: RehearsalReport, file: string): void {
  if (report.mirrorPlanSha256 === plan.sha256) return;
  throw new InvalidInputError(
    `${file}: mirrorPlanSha256: the rehearsed plan ${report.mirrorPlanSha256.slice(0, 12)}… is not this plan ${plan.sha256.slice(0, 12)}…; rehearse the plan you mean to run`,
    {
      file,
      path: 'mirrorPlanSha256',
      expected: plan.sha256,
      found: report.mirrorPlanSha256,
      hint: `drainctl rehearse ${plan.workflow.file} --json > ${file}`,
    },
  );
}
