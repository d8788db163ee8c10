/**
 * The plan of a fleet workflow: a server in two balancers and a vServer group is drained from
 * all three at once and restored to each one's own weight; the runbook and its undo lines are
 * made from the same attachments the steps carry; attachments at weight 0 stay as found.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { InvalidInputError } from '#src/errors/index.js';
import {
  hashPlan,
  type ObservedFleet,
  planFleetRollout,
  renderRunbook,
  type Step,
} from '#src/plan/index.js';
import { type FleetWorkflowSpec, isFleetWorkflow, parseAnyWorkflow } from '#src/workflow/index.js';
import { instance, OBSERVED_AT } from '#support/observed-inventory.js';

const WEB1 = 'i-emu-web-1';
const WEB2 = 'i-emu-web-2';

function fleetSpec(rollout = '  maxUnavailable: 1\n  minHealthy: 1\n') {
  const text = `name: night
region: cn-hangzhou
backends:
  instances: [${WEB1}, ${WEB2}]
rollout:
${rollout}drain:
  probe: { kind: none, waitSeconds: 1 }
patch:
  commands: ['yum update kernel -y']
  reboot: true
health:
  checks: [{ type: http, port: 8080, path: /healthz }]
restore:
  rampPercent: [10, 100]
`;
  const { spec, source } = parseAnyWorkflow({ file: 'night.yaml', text }, {});
  if (!isFleetWorkflow(spec)) throw new Error('not a fleet workflow');
  return { spec: spec as FleetWorkflowSpec, source };
}

/** web-1: core default 50, core vServer group api port 8080 30, edge default 80. web-2: core 50, edge 0. */
function observed(): ObservedFleet {
  return {
    observedAt: OBSERVED_AT,
    region: 'cn-hangzhou',
    instances: [instance(1), instance(2)],
    balancers: [
      {
        id: 'lb-edge',
        name: 'edge',
        address: '127.0.5.2',
        tags: {},
        backends: [
          { serverId: WEB1, weight: 80, type: 'ecs' },
          { serverId: WEB2, weight: 0, type: 'ecs' },
        ],
        vServerGroups: [],
        masterSlaveGroups: [],
      },
      {
        id: 'lb-core',
        name: 'core',
        address: '127.0.5.1',
        tags: {},
        backends: [
          { serverId: WEB1, weight: 50, type: 'ecs' },
          { serverId: WEB2, weight: 50, type: 'ecs' },
        ],
        vServerGroups: [
          {
            id: 'rsp-api',
            name: 'api',
            loadBalancerId: 'lb-core',
            members: [{ serverId: WEB1, port: 8080, weight: 30, type: 'ecs' }],
          },
        ],
        masterSlaveGroups: [],
      },
    ],
  };
}

function plan(spec = fleetSpec()) {
  return planFleetRollout(spec.spec, observed(), spec.source, sha256Hex);
}

function stepOf(steps: readonly Step[], action: Step['action'], node: string) {
  const step = steps.find((s) => s.action === action && s.node === node);
  if (step === undefined) throw new Error(`no ${action} for ${node}`);
  return step;
}

describe('the plan of a fleet workflow', () => {
  it('drains a server from every attachment at once and restores each to its own weight', () => {
    const { steps, balancers, loadBalancer } = plan();
    const drain = stepOf(steps, 'node.drain', WEB1);
    const restore = stepOf(steps, 'node.restore', WEB1);
    const expected = [
      { loadBalancerId: 'lb-core', weight: 50, label: 'core (lb-core), default server group' },
      {
        loadBalancerId: 'lb-core',
        vServerGroupId: 'rsp-api',
        port: 8080,
        weight: 30,
        label: 'core (lb-core), vServer group api (rsp-api) port 8080',
      },
      { loadBalancerId: 'lb-edge', weight: 80, label: 'edge (lb-edge), default server group' },
    ];
    expect(drain.action === 'node.drain' && drain.params.attachments).toEqual(expected);
    expect(restore.action === 'node.restore' && restore.params.attachments).toEqual(expected);
    expect(drain.description).toContain(
      'core (lb-core), default server group 50 → 0; core (lb-core), vServer group api (rsp-api) port 8080 30 → 0; edge (lb-edge), default server group 80 → 0',
    );
    expect(restore.description).toContain('edge (lb-edge), default server group 0 → 8 → 80');
    // Three groups: three weight calls.
    expect(drain.expectedSeconds).toBe(3 * stepOf(steps, 'node.drain', WEB2).expectedSeconds);
    // Every balancer touched is locked; the first by id is the plan's own.
    expect(balancers).toEqual([
      { id: 'lb-core', name: 'core' },
      { id: 'lb-edge', name: 'edge' },
    ]);
    expect(loadBalancer).toEqual({ id: 'lb-core', name: 'core', create: false });
  });

  it('prints undo lines made from the attachments the steps carry', () => {
    const made = plan();
    const runbook = renderRunbook(made);
    expect(runbook).toContain(
      'Load balancers: core (lb-core), edge (lb-edge) (each locked by the run)',
    );
    expect(runbook).toContain('stay in each group a server leaves');
    expect(runbook).toContain(
      'undo: restore i-emu-web-1 (web-1) on each attachment to its recorded weight (core (lb-core), default server group 50; core (lb-core), vServer group api (rsp-api) port 8080 30; edge (lb-edge), default server group 80) (node.restore)',
    );
    expect(runbook).toContain(
      'undo: set i-emu-web-1 (web-1) back to weight 0 on each of its 3 attachment(s) (node.drain)',
    );
  });

  it('leaves an attachment at weight 0 as found, and says so', () => {
    const made = plan();
    const drain = stepOf(made.steps, 'node.drain', WEB2);
    expect(drain.action === 'node.drain' && drain.params.attachments).toEqual([
      { loadBalancerId: 'lb-core', weight: 50, label: 'core (lb-core), default server group' },
    ]);
    expect(made.notes).toContain(
      'i-emu-web-2 (web-2) is at weight 0 in edge (lb-edge), default server group: left there as found, neither drained nor restored.',
    );
  });

  it('cuts batches by maxUnavailable and hashes like any plan', () => {
    const one = plan();
    expect(one.batches.map((b) => b.nodes)).toEqual([[WEB1], [WEB2]]);
    expect(hashPlan(one, sha256Hex)).toBe(one.sha256);
    const two = plan(fleetSpec('  maxUnavailable: 2\n  minHealthy: 1\n'));
    expect(two.batches.map((b) => b.nodes)).toEqual([[WEB1, WEB2]]);
    expect(two.sha256).not.toBe(one.sha256);
    expect(plan().sha256).toBe(one.sha256);
  });

  it('refuses a percent minHealthy, which no group size gives a meaning to', () => {
    expect(() => plan(fleetSpec('  maxUnavailable: 1\n  minHealthy: 50%\n'))).toThrow(
      InvalidInputError,
    );
  });

  it('with order: balancer, puts servers of the same balancers in one batch', () => {
    const ids = [1, 2, 3, 4].map((n) => `i-emu-web-${n}`);
    const spec = (order: string) => {
      const text = `name: night
region: cn-hangzhou
backends:
  instances: [${ids.join(', ')}]
rollout:
  maxUnavailable: 2
  minHealthy: 0
  order: ${order}
drain:
  probe: { kind: none, waitSeconds: 1 }
patch:
  commands: ['yum update kernel -y']
  reboot: true
health:
  checks: [{ type: http, port: 8080, path: /healthz }]
restore:
  rampPercent: [100]
`;
      const parsed = parseAnyWorkflow({ file: 'night.yaml', text }, {});
      if (!isFleetWorkflow(parsed.spec)) throw new Error('not a fleet workflow');
      return { spec: parsed.spec as FleetWorkflowSpec, source: parsed.source };
    };
    // web-1 and web-3 on lb-a, web-2 and web-4 on lb-b.
    const balancer = (id: string, servers: string[]) => ({
      id,
      name: id,
      address: '127.0.5.1',
      tags: {},
      backends: servers.map((serverId) => ({ serverId, weight: 100, type: 'ecs' as const })),
      vServerGroups: [],
      masterSlaveGroups: [],
    });
    const fleet: ObservedFleet = {
      observedAt: OBSERVED_AT,
      region: 'cn-hangzhou',
      instances: [1, 2, 3, 4].map((n) => instance(n)),
      balancers: [
        balancer('lb-a', [ids[0], ids[2]] as string[]),
        balancer('lb-b', [ids[1], ids[3]] as string[]),
      ],
    };
    const batches = (order: string) => {
      const { spec: workflow, source } = spec(order);
      return planFleetRollout(workflow, fleet, source, sha256Hex).batches.map((b) => b.nodes);
    };
    expect(batches('listed')).toEqual([
      [ids[0], ids[1]],
      [ids[2], ids[3]],
    ]);
    expect(batches('balancer')).toEqual([
      [ids[0], ids[2]],
      [ids[1], ids[3]],
    ]);
  });
});
