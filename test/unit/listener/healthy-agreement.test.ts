/**
 * "Healthy" is one rule (src/listener, healthyOnBalancer) that three callers apply: the gates
 * right before a node leaves service, the planner's minHealthy budget, and `inspect`'s budget and
 * health lines. Each is asked here through its own entry point, on a table of the cases that have
 * gone wrong before, so a fix that reaches only one of them fails this test.
 */
import { describe, expect, it } from 'vitest';
import { budgetLine, healthLine, selectedInstances } from '#src/app/inspect-fleet-checks.js';
import { evaluateGate } from '#src/engine/policy/gates.js';
import { sha256Hex } from '#src/engine/sha256.js';
import { balancerView, effectiveListeners } from '#src/plan/balancer-view.js';
import { resolveBudget } from '#src/plan/budget.js';
import { resolveFleet } from '#src/plan/fleet.js';
import type { PlanContext } from '#src/plan/plan-context.js';
import { PlanProblems } from '#src/plan/plan-problems.js';
import type { ObservedInventory } from '#src/plan/types.js';
import type { BackendHealth, BackendHealthStatus, Listener } from '#src/ports/index.js';
import { parseWorkflow } from '#src/workflow/index.js';

const CHECK = {
  enabled: true,
  type: 'tcp' as const,
  intervalSeconds: 2,
  timeoutSeconds: 5,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};

function listener(port: number, status: Listener['status'], checks = true): Listener {
  return {
    protocol: 'tcp',
    port,
    backendPort: 8080,
    scheduler: 'wrr',
    status,
    healthCheck: { ...CHECK, enabled: checks },
  };
}

/** Two running listeners that check health, a stopped one, one with its check off. */
const LISTENERS = [
  listener(80, 'running'),
  listener(81, 'running'),
  listener(9090, 'stopped'),
  listener(9091, 'running', false),
];

/** 7070 is a listener the balancer reports health on but nobody described. */
type Port = 80 | 81 | 9090 | 9091 | 7070;

interface Case {
  name: string;
  weight: number;
  health: Partial<Record<Port, BackendHealth>>;
  healthy: boolean;
}

const CASES: Case[] = [
  { name: 'normal on a running listener', weight: 100, health: { 80: 'normal' }, healthy: true },
  { name: 'abnormal', weight: 100, health: { 80: 'abnormal' }, healthy: false },
  {
    name: 'unavailable (not checked yet)',
    weight: 100,
    health: { 80: 'unavailable' },
    healthy: false,
  },
  { name: 'no health entry at all', weight: 100, health: {}, healthy: false },
  {
    name: 'reported only on a stopped listener',
    weight: 100,
    health: { 9090: 'unavailable' },
    healthy: false,
  },
  {
    name: 'normal, and unavailable on a stopped listener',
    weight: 100,
    health: { 80: 'normal', 9090: 'unavailable' },
    healthy: true,
  },
  {
    name: 'normal, and unavailable on a listener with its health check off',
    weight: 100,
    health: { 80: 'normal', 9091: 'unavailable' },
    healthy: true,
  },
  {
    name: 'normal, and abnormal on an unknown listener (fails closed)',
    weight: 100,
    health: { 80: 'normal', 7070: 'abnormal' },
    healthy: false,
  },
  {
    name: 'normal on an unknown listener only (it still judges)',
    weight: 100,
    health: { 7070: 'normal' },
    healthy: true,
  },
  { name: 'normal but at weight 0', weight: 0, health: { 80: 'normal' }, healthy: false },
  {
    name: 'abnormal on one of two running listeners',
    weight: 100,
    health: { 80: 'normal', 81: 'abnormal' },
    healthy: false,
  },
  {
    name: 'normal on both running listeners',
    weight: 100,
    health: { 80: 'normal', 81: 'normal' },
    healthy: true,
  },
];

const SERVER = 'i-1';

function entries(health: Case['health']): BackendHealthStatus[] {
  return Object.entries(health).map(([port, state]) => ({
    serverId: SERVER,
    port: 8080,
    listenerPort: Number(port),
    protocol: 'tcp',
    health: state as BackendHealth,
  }));
}

/** i-1 alone on the balancer; i-2 exists, off the balancer. */
function world(c: Case): ObservedInventory {
  const instances = [1, 2].map((n) => ({
    id: `i-${n}`,
    name: `web-${n}`,
    status: 'Running' as const,
    privateIp: `10.0.0.${n}`,
    tags: { app: 'web' },
  }));
  return {
    observedAt: '2026-11-21T02:00:00.000Z',
    region: 'cn-hangzhou',
    instances,
    loadBalancer: {
      id: 'lb-1',
      name: 'web',
      address: '10.0.0.100',
      addressType: 'intranet',
      status: 'active',
      regionId: 'cn-hangzhou',
      tags: {},
      listeners: LISTENERS.map((l) => ({ port: l.port, protocol: l.protocol })),
      backends: [{ serverId: SERVER, weight: c.weight, type: 'ecs' }],
      listenerDetails: LISTENERS,
      health: entries(c.health),
    },
  };
}

/** minHealthy 0: every budget below passes exactly when i-1 counts as healthy and serving. */
function workflow(selected: string) {
  return parseWorkflow(
    {
      file: 't.yaml',
      text: [
        'name: t',
        'region: cn-hangzhou',
        'loadBalancer: { id: lb-1 }',
        `backends: { instances: [${selected}] }`,
        'rollout: { maxUnavailable: 1, minHealthy: 0 }',
        'drain: { probe: { kind: none, waitSeconds: 1 } }',
      ].join('\n'),
    },
    {},
  ).spec;
}

function byGates(c: Case): { minHealthy: boolean; groupPeer: boolean } {
  const observation = world(c).loadBalancer;
  if (observation === undefined) throw new Error('no balancer');
  const decision = evaluateGate({
    node: 'i-2',
    params: { minHealthy: 1, maxUnavailable: 1, groupPeers: [SERVER], expectedNodeSeconds: 1 },
    observation: {
      ok: true,
      backends: observation.backends,
      health: observation.health,
      listeners: observation.listenerDetails,
    },
    outOfService: [],
    now: Date.parse('2026-11-21T02:00:00Z'),
  });
  const passed = (name: string) => decision.checks.find((check) => check.name === name)?.passed;
  return { minHealthy: passed('min-healthy') === true, groupPeer: passed('group') === true };
}

/** Counted in the planner's minHealthy budget, as a server of the fleet or as another backend. */
function byPlanner(c: Case, selected: string): boolean {
  const spec = workflow(selected);
  const inventory = world(c);
  const problems = new PlanProblems();
  const balancer = balancerView(spec, inventory, problems);
  const ctx: PlanContext = {
    spec,
    inventory,
    balancer,
    listeners: effectiveListeners(spec, balancer),
    problems,
    choices: {},
    sha256: sha256Hex,
  };
  const { nodes, others } = resolveFleet(ctx);
  return resolveBudget(spec.rollout, nodes, others).healthyWeighted.includes(SERVER);
}

function byInspect(c: Case): { budget: boolean; health: boolean | undefined } {
  const spec = workflow(SERVER);
  const inventory = world(c);
  const lb = inventory.loadBalancer;
  const { found } = selectedInstances(spec, inventory, lb);
  return {
    budget: budgetLine(spec, found, lb).status === 'pass',
    // The health line speaks only of serving servers: at weight 0 it has nothing to say.
    health: c.weight > 0 ? healthLine(found, lb).status === 'pass' : undefined,
  };
}

describe('one "healthy": the gates, the planner and inspect agree', () => {
  it.each(CASES)('$name → healthy and serving: $healthy', (c) => {
    expect({
      gateMinHealthy: byGates(c).minHealthy,
      gateGroupPeer: byGates(c).groupPeer,
      plannerFleetNode: byPlanner(c, SERVER),
      plannerOtherBackend: byPlanner(c, 'i-2'),
      inspectBudget: byInspect(c).budget,
      inspectHealth: byInspect(c).health ?? c.healthy,
    }).toEqual({
      gateMinHealthy: c.healthy,
      gateGroupPeer: c.healthy,
      plannerFleetNode: c.healthy,
      plannerOtherBackend: c.healthy,
      inspectBudget: c.healthy,
      inspectHealth: c.healthy,
    });
  });
});
