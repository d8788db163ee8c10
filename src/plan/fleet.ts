/**
 * The fleet: the servers the workflow selects, as the live world describes them, in rollout
 * order, each with the weight it will have when the rollout reaches it and whether it counts as
 * healthy. Every selected server must exist and be Running; problems name the workflow path.
 */
import { healthyOnBalancer, judgedHealth } from '../listener/index.js';
import type { InstanceInfo } from '../ports/index.js';
import type { PathSegment } from '../workflow/issue.js';
import { decideAtZero } from './at-zero.js';
import type { PlanContext } from './plan-context.js';
import { savedWeightsFromTags } from './saved-weight-tag.js';
import type { AtZeroDecision, SavedWeight } from './types.js';

export interface FleetNode {
  id: string;
  name: string;
  instance: InstanceInfo;
  /** Where the node was selected in the workflow (for problems). */
  path: readonly PathSegment[];
  /** On the balancer now. */
  attached: boolean;
  observedWeight?: number;
  /** Set when the plan adds the node to the balancer, at this weight. */
  addWeight?: number;
  servingWeight: number;
  /** Ramped to `servingWeight` before the rollout (a server that joined below it). */
  bringIntoService: boolean;
  /**
   * Weight when the rollout reaches the node: what its drain takes away and its restore gives
   * back — except for a server found at weight 0, whose way back `atZero` says.
   */
  weightAtRollout: number;
  /** Found at weight 0 and not brought into service by the workflow: restored how, or left. */
  atZero?: AtZeroDecision;
  /** A weight a run saved for it on the balancer, if the balancer carries one. */
  saved?: SavedWeight;
  /** Found serving below `saved` (a run stopped during its ramp): restored to it. */
  belowSaved?: SavedWeight;
  /** Counted as healthy by the minHealthy budget (observed, or proven by the path check). */
  healthy: boolean;
  /** Healthy in the balancer's view at observation time. */
  observedHealthy: boolean;
  group?: string;
  groupPeers: string[];
}

/** A backend on the balancer that the workflow does not touch: it still counts for minHealthy. */
export interface OtherBackend {
  serverId: string;
  weight: number;
  healthy: boolean;
}

interface Selected {
  id: string;
  path: readonly PathSegment[];
  entry?: { initialWeight?: number; weight?: number };
}

export function resolveFleet(ctx: PlanContext): { nodes: FleetNode[]; others: OtherBackend[] } {
  const { spec, inventory, balancer, problems } = ctx;
  const byId = new Map(inventory.instances.map((instance) => [instance.id, instance]));
  const saved = savedWeightsFromTags(balancer.tags);
  // A stopped listener or one with health checks off judges nothing (src/listener).
  const judged = judgedHealth(balancer.health, balancer.observedListeners);
  const nodes: FleetNode[] = [];
  const selection = select(ctx);
  for (const selected of selection) {
    const instance = byId.get(selected.id);
    if (instance === undefined) {
      problems.add(
        selected.path,
        `an ECS instance that exists in region ${inventory.region}`,
        `${selected.id}, which does not`,
      );
      continue;
    }
    if (instance.status !== 'Running') {
      problems.add(selected.path, 'a Running instance', `${selected.id} is ${instance.status}`);
      continue;
    }
    const serving = selected.entry?.weight ?? spec.backends.weight;
    const initial = selected.entry?.initialWeight ?? spec.backends.initialWeight;
    const attached = balancer.backends.find((backend) => backend.serverId === selected.id);
    const savedWeight = saved.get(instance.id);
    let bringIntoService: boolean;
    let weightAtRollout: number;
    if (attached === undefined) {
      bringIntoService = initial < serving;
      weightAtRollout = bringIntoService ? serving : initial;
    } else {
      // Only a server the workflow itself says joins low is ramped up again on a re-run; one
      // an operator parked at weight 0 stays as it is. One with a saved weight is not joining:
      // a run drained it and did not bring it back, and a bring-in would skip the proof.
      bringIntoService =
        selected.entry?.initialWeight !== undefined &&
        initial < serving &&
        attached.weight < serving &&
        savedWeight === undefined;
      weightAtRollout = bringIntoService ? serving : attached.weight;
    }
    const atZero =
      attached !== undefined && attached.weight === 0 && !bringIntoService
        ? decideAtZero(instance.id, savedWeight, ctx.choices)
        : undefined;
    // A ramp only ever climbs to the saved weight: serving below it is a ramp that stopped.
    const belowSaved =
      attached !== undefined &&
      savedWeight !== undefined &&
      attached.weight > 0 &&
      attached.weight < savedWeight.weight
        ? savedWeight
        : undefined;
    nodes.push({
      id: instance.id,
      name: instance.name,
      instance,
      path: selected.path,
      attached: attached !== undefined,
      ...(attached === undefined ? { addWeight: initial } : { observedWeight: attached.weight }),
      servingWeight: serving,
      bringIntoService,
      weightAtRollout,
      ...(atZero === undefined ? {} : { atZero }),
      ...(savedWeight === undefined ? {} : { saved: savedWeight }),
      ...(belowSaved === undefined ? {} : { belowSaved }),
      // A server already serving counts only if the balancer sees it healthy now; the plan
      // marks the whole fleet healthy when its path check proves it before the rollout.
      healthy: healthyOnBalancer(judged, instance.id),
      observedHealthy: healthyOnBalancer(judged, instance.id),
      groupPeers: [],
    });
  }
  assignGroups(ctx, nodes, new Set(selection.map((selected) => selected.id)));
  const fleetIds = new Set(nodes.map((node) => node.id));
  const others = balancer.backends
    .filter((backend) => !fleetIds.has(backend.serverId))
    .map((backend) => ({
      serverId: backend.serverId,
      weight: backend.weight,
      healthy: healthyOnBalancer(judged, backend.serverId),
    }));
  return { nodes: orderNodes(ctx, nodes), others };
}

function select(ctx: PlanContext): Selected[] {
  const { spec, inventory, balancer, problems } = ctx;
  const { backends } = spec;
  if (backends.instances !== undefined) {
    return backends.instances.map((entry, index) =>
      typeof entry === 'string'
        ? { id: entry, path: ['backends', 'instances', index] }
        : { id: entry.id, path: ['backends', 'instances', index], entry },
    );
  }
  if (backends.tags !== undefined) {
    const wanted = Object.entries(backends.tags);
    const matching = inventory.instances.filter((instance) =>
      wanted.every(([key, value]) => instance.tags[key] === value),
    );
    if (matching.length === 0) {
      problems.add(
        ['backends', 'tags'],
        `tags that select at least one instance in region ${inventory.region}`,
        `no instance carries ${wanted.map(([key, value]) => `${key}=${value}`).join(', ')}`,
      );
    }
    return matching
      .sort((a, b) => compareNames(a.name, b.name) || compareNames(a.id, b.id))
      .map((instance) => ({ id: instance.id, path: ['backends', 'tags'] }));
  }
  const ecs = balancer.backends.filter((backend) => (backend.type ?? 'ecs') === 'ecs');
  if (ecs.length === 0) {
    problems.add(
      ['backends', 'all'],
      'a balancer with ECS backends to roll over',
      `${balancer.label} has none`,
    );
  }
  const names = new Map(inventory.instances.map((instance) => [instance.id, instance.name]));
  return ecs
    .map((backend) => backend.serverId)
    .sort((a, b) => compareNames(names.get(a) ?? a, names.get(b) ?? b) || compareNames(a, b))
    .map((id) => ({ id, path: ['backends', 'all'] }));
}

/** Problems only for ids the workflow did not select; a selected but missing server is reported once. */
export function assignGroups(ctx: PlanContext, nodes: FleetNode[], selected: Set<string>): void {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  for (const [group, members] of Object.entries(ctx.spec.rollout.groups)) {
    members.forEach((member, index) => {
      const node = byId.get(member);
      if (node === undefined) {
        if (selected.has(member)) return;
        ctx.problems.add(
          ['rollout', 'groups', group, index],
          'a server of the fleet (selected by backends)',
          `${member}, which is not`,
        );
        return;
      }
      node.group = group;
      node.groupPeers = members.filter((peer) => peer !== member && byId.has(peer));
    });
  }
  for (const id of Object.keys(ctx.spec.access.nodes)) {
    if (!selected.has(id)) {
      ctx.problems.add(
        ['access', 'nodes', id],
        'a server of the fleet (selected by backends)',
        `${id}, which is not`,
      );
    }
  }
}

export function orderNodes(ctx: PlanContext, nodes: FleetNode[]): FleetNode[] {
  const order = ctx.spec.rollout.order;
  // `balancer` orders a fleet by its attachments (fleet-plan.ts); one balancer's servers are all on it.
  if (order === 'listed' || order === 'balancer') return nodes;
  if (order === 'name') {
    return [...nodes].sort((a, b) => compareNames(a.name, b.name) || compareNames(a.id, b.id));
  }
  if (order === 'id') return [...nodes].sort((a, b) => compareNames(a.id, b.id));
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const first: FleetNode[] = [];
  order.forEach((id, index) => {
    const node = byId.get(id);
    if (node === undefined) {
      ctx.problems.add(['rollout', 'order', index], 'a server of the fleet', `${id}, which is not`);
    } else if (!first.includes(node)) {
      first.push(node);
    }
  });
  return [...first, ...nodes.filter((node) => !first.includes(node))];
}

/** web-2 before web-10; the same on every machine (no locale data involved). */
export function compareNames(a: string, b: string): number {
  const split = (text: string) => text.match(/\d+|\D+/g) ?? [];
  const left = split(a);
  const right = split(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    if (x === y) continue;
    const bothNumbers = /^\d/.test(x) && /^\d/.test(y);
    if (bothNumbers && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return left.length - right.length || (a < b ? -1 : a > b ? 1 : 0);
}
