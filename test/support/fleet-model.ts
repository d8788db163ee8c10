/**
 * A fleet plan on the in-memory world: web-1 and web-2 serve on the model's balancer; with
 * `idleOn`, web-1 also sits at weight 0 on a second balancer, lb-x (left as found by the plan).
 * The model has default server groups only.
 */
import { sha256Hex } from '#src/engine/sha256.js';
import { type ObservedFleet, type Plan, planFleetRollout } from '#src/plan/index.js';
import { isFleetWorkflow, parseAnyWorkflow } from '#src/workflow/index.js';
import { InMemoryWorld, type ModelNode } from './in-memory-world.js';
import { OBSERVED_AT } from './observed-inventory.js';

export const WEB1 = 'i-emu-web-1';
const WORKFLOW = `name: night
region: cn-hangzhou
backends:
  instances: [${WEB1}, i-emu-web-2]
rollout:
  maxUnavailable: 1
  minHealthy: 1
drain:
  probe: { kind: none, waitSeconds: 0 }
  timeoutSeconds: 5
patch:
  commands: ['yum update kernel -y']
  reboot: false
  verify: false
health:
  checks: [{ type: tcp, port: 8080 }]
restore:
  rampPercent: [100]
  holdSeconds: 0
`;

function server(n: number): ModelNode {
  return {
    id: `i-emu-web-${n}`,
    name: `web-${n}`,
    ip: `10.0.0.${10 + n}`,
    weight: 100,
    kernel: '3.10.0-1160.el7.x86_64',
    availableKernel: '3.10.0-1160.119.1.el7.x86_64',
  };
}

export function fleetModel(options: { idleOn?: boolean } = {}): {
  world: InMemoryWorld;
  plan: Plan;
} {
  const world = new InMemoryWorld([server(1), server(2)]);
  if (options.idleOn)
    world.balancers.set('lb-x', {
      id: 'lb-x',
      name: 'x',
      address: '10.0.2.1',
      addressType: 'intranet',
      tags: new Map(),
      listeners: [{ port: 80, protocol: 'tcp' }],
      backends: new Map([
        [WEB1, 0],
        ['i-other-1', 100],
      ]),
    });
  const { spec, source } = parseAnyWorkflow({ file: 'night.yaml', text: WORKFLOW }, {});
  if (!isFleetWorkflow(spec)) throw new Error('not a fleet workflow');
  const observed: ObservedFleet = {
    observedAt: OBSERVED_AT,
    region: 'cn-hangzhou',
    instances: world.nodes.map((node) => ({
      id: node.id,
      name: node.name,
      status: 'Running',
      privateIp: node.ip,
      tags: {},
    })),
    balancers: [...world.balancers.values()].map((lb) => ({
      id: lb.id,
      name: lb.name,
      address: lb.address,
      tags: {},
      backends: [...lb.backends].map(([serverId, weight]) => ({ serverId, weight, type: 'ecs' })),
      vServerGroups: [],
      masterSlaveGroups: [],
    })),
  };
  return { world, plan: planFleetRollout(spec, observed, source, sha256Hex) };
}

export const journal = (world: InMemoryWorld) =>
  world.journalLines.map((line) => JSON.parse(line) as Record<string, unknown>);
