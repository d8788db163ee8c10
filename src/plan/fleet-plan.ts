/**
 * The plan of a fleet workflow: each selected server drained from every attachment at once and
 * restored to each attachment's own weight, with the same per-server steps as a plan of one
 * balancer (hooks, gate, baseline, drain, patch, reboot, health, verify, ramp). Pure, like
 * planRollout: the survey's observation in, the plan and its sha256 out.
 *
 * What differs from one balancer: `minHealthy` is a count judged live by each server's gate on
 * every group it leaves (the survey does not observe group health, so batches are cut by
 * `maxUnavailable` and `groups` alone); attachments found at weight 0 are left as they are; a
 * server serving nowhere is refused (found at weight 0 everywhere: the saved-weight story of one
 * balancer is not there for fleets).
 */
import type { FleetWorkflowSpec, WorkflowSpec } from '../workflow/index.js';
import { cutBatches } from './batches.js';
import { resolveBudget } from './budget.js';
import { assignGroups, type FleetNode, orderNodes } from './fleet.js';
import {
  type Attachment,
  attachmentPlace,
  type ObservedFleet,
  type ObservedFleetBalancer,
  surveyFleet,
} from './fleet-survey.js';
import { nodeLabel } from './host-target.js';
import { checkPlanInputs } from './input-checks.js';
import { nodeSteps } from './node-steps.js';
import type { BalancerView, PlanContext } from './plan-context.js';
import { hashPlan, type Sha256Hex } from './plan-hash.js';
import { PlanProblems } from './plan-problems.js';
import type { PlanSource } from './plan-rollout.js';
import { countedInEstimates } from './rollback-steps.js';
import { numberSteps, type StepDraft } from './step-draft.js';
import {
  type ObservedInventory,
  PLAN_SCHEMA_VERSION,
  type Plan,
  type PlanAttachment,
} from './types.js';

/**
 * @example
 *   const observed = await observeFleet(spec, ports);
 *   const plan = planFleetRollout(spec, observed, source, sha256Hex);
 *   console.log(renderRunbook(plan));
 */
export function planFleetRollout(
  spec: FleetWorkflowSpec,
  observed: ObservedFleet,
  source: PlanSource,
  sha256: Sha256Hex,
): Plan {
  // The survey refuses what no plan could take out (master-slave members, unknown ids).
  const survey = surveyFleet(spec, observed, source, sha256);
  const problems = new PlanProblems();
  if (typeof spec.rollout.minHealthy !== 'number') {
    problems.add(
      ['rollout', 'minHealthy'],
      'a count in a fleet workflow (judged on each group a server leaves, whose size differs)',
      String(spec.rollout.minHealthy),
    );
  }
  if (spec.health.checks === undefined) {
    problems.add(
      ['health', 'checks'],
      "health checks of a fleet workflow's own (its servers sit behind several balancers' listeners, none of which says how to check them)",
      'nothing',
    );
  }
  const balancers = new Map(observed.balancers.map((lb) => [lb.id, lb]));
  const label = (id: string) => {
    const lb = balancers.get(id);
    return `${lb?.name || id} (${id})`;
  };
  const inventory: ObservedInventory = {
    observedAt: observed.observedAt,
    region: observed.region,
    instances: observed.instances,
  };
  const byId = new Map(observed.instances.map((instance) => [instance.id, instance]));
  const contexts = new Map<string, PlanContext>();
  const placed = new Map<string, PlanAttachment[]>();
  const notes: string[] = [];
  const nodes: FleetNode[] = [];
  for (const server of survey.servers) {
    const instance = byId.get(server.id);
    if (instance === undefined) continue;
    const serving = server.attachments
      .filter((a) => a.weight > 0)
      .map((a) => planAttachment(a, label));
    const idle = server.attachments.filter((a) => a.weight === 0);
    if (serving.length === 0) {
      problems.add(
        ['backends'],
        'servers that serve somewhere (a weight above 0 on at least one attachment)',
        `${server.id} (${server.name}) ${server.attachments.length === 0 ? 'is attached nowhere' : 'is at weight 0 on every attachment'}`,
      );
      continue;
    }
    if (instance.status !== 'Running') {
      problems.add(['backends'], 'Running instances', `${server.id} is ${instance.status}`);
      continue;
    }
    const first = serving[0] as PlanAttachment;
    const node: FleetNode = {
      id: server.id,
      name: server.name,
      instance,
      path: ['backends'],
      attached: true,
      observedWeight: first.weight,
      servingWeight: first.weight,
      bringIntoService: false,
      weightAtRollout: first.weight,
      // Health is judged live by the gate, on each group the server leaves.
      healthy: true,
      observedHealthy: true,
      groupPeers: [],
    };
    nodes.push(node);
    placed.set(node.id, serving);
    if (idle.length > 0) {
      notes.push(
        `${nodeLabel(node)} is at weight 0 in ${idle.map((a) => attachmentPlace(a, label)).join('; ')}: left there as found, neither drained nor restored.`,
      );
    }
  }
  const firstBalancer = [...balancers.values()].sort((a, b) => a.id.localeCompare(b.id))[0];
  // Every part of the per-server planner reads one context; a fleet server's is the balancer of
  // its first attachment (its `load-balancer` health check asks that balancer).
  const contextOf = (node: FleetNode): PlanContext => {
    const id = placed.get(node.id)?.[0]?.loadBalancerId ?? '';
    const known = contexts.get(id);
    if (known !== undefined) return known;
    const made = fleetContext(spec, inventory, balancers.get(id), id, problems, sha256);
    contexts.set(id, made);
    return made;
  };
  const shared = fleetContext(
    spec,
    inventory,
    firstBalancer,
    firstBalancer?.id ?? '',
    problems,
    sha256,
  );
  assignGroups(shared, nodes, new Set(nodes.map((node) => node.id)));
  const ordered =
    spec.rollout.order === 'balancer'
      ? byBalancers(orderNodes(shared, nodes), placed)
      : orderNodes(shared, nodes);
  checkPlanInputs(shared, ordered);
  const budget = resolveBudget(spec.rollout, ordered, []);
  // minHealthy is judged live on each group (no group health is observed here): batches are
  // cut by maxUnavailable and groups, no server counted against a balancer's headroom.
  const cut = cutBatches(
    ordered.map((node) => ({
      id: node.id,
      ...(node.group === undefined ? {} : { group: node.group }),
      countsAsHealthy: false,
    })),
    { maxUnavailable: budget.maxUnavailable, minHealthy: 0, healthyWeighted: 0 },
  );
  const batches = cut.ok ? cut.batches : [];
  problems.throwIfAny(source);

  const byNode = new Map(ordered.map((node) => [node.id, node]));
  const rollout: StepDraft[] = [];
  let totalSeconds = 0;
  batches.forEach((ids, offset) => {
    const perNode = ids.map((id) => {
      const node = byNode.get(id) as FleetNode;
      return nodeSteps(contextOf(node), node, offset + 1, budget, placed.get(id));
    });
    rollout.push(...perNode.flat());
    totalSeconds += Math.max(0, ...perNode.map((steps) => sum(steps)));
  });
  problems.throwIfAny(source);
  const batchOf = new Map(
    batches.flatMap((ids, offset) => ids.map((id) => [id, offset + 1] as const)),
  );
  // Every balancer a planned server was seen on, serving or not: one where it sits at weight 0
  // is locked too, so no other run gives it weight there while this run has it out.
  const seenOn = survey.servers
    .filter((server) => placed.has(server.id))
    .flatMap((server) => server.attachments.map((a) => a.loadBalancerId));
  const touched = [...new Set(seenOn)]
    .sort()
    .map((id) => ({ id, name: balancers.get(id)?.name ?? '' }));
  const lock = touched[0] ?? { id: '', name: '' };
  const unhashed: Omit<Plan, 'sha256'> = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    workflow: survey.workflow,
    region: spec.region,
    loadBalancer: { id: lock.id, name: lock.name, create: false },
    balancers: touched,
    nodes: ordered.map((node) => ({
      id: node.id,
      name: node.name,
      ...(node.instance.privateIp === undefined ? {} : { address: node.instance.privateIp }),
      ...(node.group === undefined ? {} : { group: node.group }),
      batch: batchOf.get(node.id) ?? 0,
      weight: node.weightAtRollout,
    })),
    batches: batches.map((ids, offset) => ({ index: offset + 1, nodes: ids })),
    steps: numberSteps(rollout),
    stopOnFailure: spec.rollout.stopOnFailure,
    estimate: { totalSeconds },
    rollout: {
      maxUnavailable: budget.maxUnavailable,
      minHealthy: budget.minHealthy,
      ...(spec.rollout.window === undefined ? {} : { windowEnd: spec.rollout.window.end }),
    },
    notes,
    inventory,
  };
  const plan = JSON.parse(JSON.stringify(unhashed)) as typeof unhashed;
  return { ...plan, sha256: hashPlan(plan, sha256) };
}

function planAttachment(attachment: Attachment, label: (id: string) => string): PlanAttachment {
  const place = attachmentPlace(attachment, label);
  if (attachment.kind === 'vserver-group') {
    return {
      loadBalancerId: attachment.loadBalancerId,
      vServerGroupId: attachment.vServerGroupId,
      port: attachment.port,
      weight: attachment.weight,
      label: place,
    };
  }
  // The survey refused master-slave members; what is left is a default server group.
  return { loadBalancerId: attachment.loadBalancerId, weight: attachment.weight, label: place };
}

/**
 * The per-server planner's context for servers whose first attachment is on `balancer`. It has
 * no listeners: the survey does not read them, so health checks come from the workflow.
 */
function fleetContext(
  spec: FleetWorkflowSpec,
  inventory: ObservedInventory,
  balancer: ObservedFleetBalancer | undefined,
  id: string,
  problems: PlanProblems,
  sha256: Sha256Hex,
): PlanContext {
  const view: BalancerView = {
    exists: true,
    id,
    address: balancer?.address ?? '',
    name: balancer?.name ?? '',
    label: `${balancer?.name || id} (${id})`,
    backends: balancer?.backends ?? [],
    health: [],
    observedListeners: [],
    tags: balancer?.tags ?? {},
  };
  const single: WorkflowSpec = { ...spec, loadBalancer: { id } } as WorkflowSpec;
  return {
    spec: single,
    inventory,
    balancer: view,
    listeners: [],
    problems,
    choices: {},
    sha256,
  };
}

function sum(steps: readonly StepDraft[]): number {
  return steps.filter(countedInEstimates).reduce((total, step) => total + step.expectedSeconds, 0);
}

/**
 * Servers on the same balancers next to each other (by the sorted ids of the balancers they are
 * attached to, stable otherwise), so a batch holds many servers of few groups and the run merges
 * their weight changes into one call per group (up to 20 servers a call).
 */
function byBalancers(
  nodes: readonly FleetNode[],
  placed: ReadonlyMap<string, readonly PlanAttachment[]>,
): FleetNode[] {
  const keyOf = (node: FleetNode) =>
    [...new Set((placed.get(node.id) ?? []).map((a) => a.loadBalancerId))].sort().join(' ');
  const keys = new Map(nodes.map((node) => [node.id, keyOf(node)]));
  return [...nodes].sort((a, b) => {
    const x = keys.get(a.id) ?? '';
    const y = keys.get(b.id) ?? '';
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
