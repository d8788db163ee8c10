/**
 * What the engine undoes is what the runbook printed. Each example workflow is planned against
 * the in-memory world; then, for every step that declares an undo, a run fails right after it
 * (or, for a ramp, at its last step), and the compensations the run journals — the intents and
 * notes carrying `compensates` — must be exactly the `undo:` lines the runbook printed for the
 * reversible steps that had completed and that the failure policy takes back, in the order the
 * engine runs them: no more, no fewer, word for word.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import type { Compensates, JournalEntry } from '#src/engine/journal/entries.js';
import { entryProblem } from '#src/engine/journal/entry-check.js';
import { sha256Hex } from '#src/engine/sha256.js';
import {
  type ObservedFleet,
  type Plan,
  planFleetRollout,
  planRollout,
  renderRunbook,
  type Step,
} from '#src/plan/index.js';
import type { ObservedInventory } from '#src/plan/types.js';
import { isFleetWorkflow, parseAnyWorkflow } from '#src/workflow/index.js';
import { repoRoot } from '#support/cli-runner.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, type ModelNode } from '#support/in-memory-world.js';
import { OBSERVED_AT } from '#support/observed-inventory.js';
import { loadExample } from '#support/workflows.js';

const TAGS = { app: 'web', env: 'demo' };

function server(n: number, weight: number): ModelNode {
  return {
    id: `i-emu-web-${n}`,
    name: `web-${n}`,
    ip: `10.0.0.${10 + n}`,
    weight,
    kernel: '3.10.0-1160.el7.x86_64',
    availableKernel: '3.10.0-1160.119.1.el7.x86_64',
  };
}

interface Example {
  file: string;
  env: Record<string, string>;
  /** Servers and their weights on the model's balancer (web-2 of the seed story joins at 0). */
  servers: ModelNode[];
  /** The workflow names the model's balancer (else it would create one: it finds the model's). */
  existingBalancer: boolean;
  /**
   * Run as a fleet workflow (its `loadBalancer` taken out, its own health check added): every
   * server's drain and restore carry its attachments — here the model balancer's default group.
   */
  fleet?: boolean;
}

const EXAMPLES: Example[] = [
  {
    file: 'workflows/kernel-patch.yaml',
    env: {},
    servers: [server(1, 100), server(2, 0)],
    existingBalancer: false,
  },
  {
    file: 'workflows/demo.yaml',
    env: { DRAINCTL_DEMO_STATE: '/nonexistent/demo-state' },
    servers: [1, 2, 3, 4].map((n) => server(n, 100)),
    existingBalancer: false,
  },
  {
    file: 'workflows/rolling-patch-existing-slb.yaml',
    env: { LOAD_BALANCER_ID: 'lb-model' },
    servers: [1, 2, 3, 4].map((n) => server(n, 100)),
    existingBalancer: true,
  },
  {
    file: 'workflows/rolling-patch-existing-slb.yaml',
    env: {},
    servers: [1, 2, 3, 4].map((n) => server(n, 100)),
    existingBalancer: true,
    fleet: true,
  },
];

/** The in-memory world as the planner observes it (read-only). */
function observe(world: InMemoryWorld, example: Example): ObservedInventory {
  const inventory: ObservedInventory = {
    observedAt: OBSERVED_AT,
    region: 'cn-hangzhou',
    instances: world.nodes.map((node) => ({
      id: node.id,
      name: node.name,
      status: 'Running',
      privateIp: node.ip,
      tags: TAGS,
    })),
    dns: { record: { ...world.dnsRecord }, minimumTtl: 1, nameServers: ['ns1.model:53'] },
  };
  if (!example.existingBalancer) return inventory;
  return {
    ...inventory,
    loadBalancer: world.observedBalancer(
      world.nodes.map((node) => ({
        serverId: node.id,
        port: 8080,
        listenerPort: 80,
        protocol: 'tcp' as const,
        health: 'normal' as const,
      })),
    ),
  };
}

/** The example as a fleet workflow, planned against the model's balancer as its one attachment. */
function fleetPlan(world: InMemoryWorld, example: Example): Plan {
  const text = readFileSync(`${repoRoot}${example.file}`, 'utf8')
    .replace(/^loadBalancer:\n(?: .*\n)+/m, '')
    .replace(/^health:\n/m, 'health:\n  checks: [{ type: tcp, port: 8080 }]\n');
  const { spec, source } = parseAnyWorkflow({ file: example.file, text }, example.env);
  if (!isFleetWorkflow(spec)) throw new Error(`${example.file} did not become a fleet workflow`);
  const inventory = observe(world, example);
  const lb = inventory.loadBalancer;
  if (lb === undefined) throw new Error('the fleet example needs the model balancer');
  const observed: ObservedFleet = {
    observedAt: inventory.observedAt,
    region: inventory.region,
    instances: inventory.instances,
    balancers: [
      {
        id: lb.id,
        name: lb.name,
        address: lb.address,
        tags: {},
        backends: lb.backends,
        vServerGroups: [],
        masterSlaveGroups: [],
      },
    ],
  };
  return planFleetRollout(spec, observed, source, sha256Hex);
}

function setUp(example: Example): { world: InMemoryWorld; plan: Plan; runbook: string } {
  const world = new InMemoryWorld(example.servers.map((node) => ({ ...node })));
  if (example.fleet) {
    const plan = fleetPlan(world, example);
    return { world, plan, runbook: renderRunbook(plan) };
  }
  // A balancer the run creates has only the listeners the run adds.
  if (!example.existingBalancer) world.listeners.length = 0;
  const workflow = loadExample(example.file, example.env);
  const plan = planRollout(workflow.spec, observe(world, example), workflow.source, sha256Hex);
  // The run builds on the model's balancer rather than a second one: it finds it by the name and
  // tags it would create it with, as a rerun finds the one it created.
  const create = plan.steps.find(
    (step): step is Extract<Step, { action: 'lb.create' }> => step.action === 'lb.create',
  );
  if (create !== undefined) {
    world.balancer.name = create.params.request.name;
    for (const [key, value] of Object.entries(create.params.request.tags))
      world.tags.set(key, value);
  }
  return { world, plan, runbook: renderRunbook(plan) };
}

/** The text after `undo:` of each step, by its number, as the runbook printed it. */
function printedUndo(runbook: string): Map<number, string> {
  const undo = new Map<number, string>();
  let index: number | undefined;
  for (const line of runbook.split('\n')) {
    const numbered = /^ +(\d+)\. /.exec(line);
    if (numbered !== null) index = Number(numbered[1]);
    const printed = /^ +undo: (.*)$/.exec(line);
    if (printed !== null && index !== undefined) undo.set(index, printed[1] ?? '');
  }
  return undo;
}

/**
 * The world fails right after `step`: the next step that can fail does (the cutover's next
 * change, its confirmation, the drain's wait), or a ramp's last step answers 5xx.
 */
function failRightAfter(
  world: InMemoryWorld,
  plan: Plan,
  step: Step,
): (ports: EnginePorts) => EnginePorts {
  const refuse = (when: (value: string, ttl: number) => boolean) => (ports: EnginePorts) => ({
    ...ports,
    dns: {
      ...ports.dns,
      pointRecord: async (request: Parameters<EnginePorts['dns']['pointRecord']>[0]) => {
        if (when(request.value, request.ttl)) throw new Error('Alidns refused: Forbidden');
        return ports.dns.pointRecord(request);
      },
    },
  });
  switch (step.action) {
    case 'dns.set-ttl':
      return refuse((value) => value === world.address);
    case 'dns.point':
      if (step.phase === 'finish') return refuse((_, ttl) => ttl === step.params.to.ttl);
      return (ports) => ({ ...ports, dnsResolver: { resolve: async () => ['10.9.9.9'] } });
    case 'node.drain':
      world.faults.neverQuiet.add(step.params.serverId);
      return (ports) => ports;
    case 'node.restore': {
      // The weight the ramp ends at: where the server serves.
      const { serverId, targetWeight } = step.params;
      const top = targetWeight ?? plan.nodes.find((node) => node.id === serverId)?.weight ?? 0;
      world.faults.errorsFromWeight.set(serverId, {
        weight: top,
        afterBoot: step.phase === 'rollout',
      });
      return (ports) => ports;
    }
    default:
      throw new Error(`${step.action} declares no undo`);
  }
}

/**
 * What the failure policy takes back after a failure right after `failed` (docs/engine.md §6):
 * a preparation that fails undoes the DNS cutover steps it completed, latest first; a ramp that
 * fails goes back to where it began; a drained node whose host is untouched goes back to its
 * weight. Nodes already done stay done, and a cutover stays once the rollout began; nothing
 * runs after the finish, so nothing is undone there.
 */
function expectedUndone(plan: Plan, failed: Step): Step[] {
  if (failed.phase === 'finish') return [];
  if (failed.phase === 'prepare' && failed.action.startsWith('dns.')) {
    return plan.steps
      .filter(
        (s) =>
          s.phase === 'prepare' &&
          s.action.startsWith('dns.') &&
          s.inverse.kind === 'inverse' &&
          s.index <= failed.index,
      )
      .reverse();
  }
  return [failed];
}

function journaledCompensations(world: InMemoryWorld): Compensates[] {
  return world.journalLines
    .map((line) => JSON.parse(line) as JournalEntry)
    .flatMap((entry) =>
      (entry.type === 'intent' || entry.type === 'note') && entry.compensates !== undefined
        ? [entry.compensates]
        : [],
    );
}

describe.each(
  EXAMPLES.map((example) => ({
    ...example,
    name: `${example.fleet ? 'fleet: ' : ''}${example.file}`,
  })),
)('$name: every undo the runbook prints is the one journaled', (example) => {
  const { plan, runbook } = setUp(example);
  const reversible = plan.steps.filter((step) => step.inverse.kind === 'inverse');
  const printed = printedUndo(runbook);

  it('prints an undo line for every step, naming the undo action for the reversible ones', () => {
    expect(printed.size).toBe(plan.steps.length);
    expect(reversible.length).toBeGreaterThanOrEqual(4);
    for (const step of reversible)
      expect(printed.get(step.index)).toMatch(/\((node|dns)\.[a-z-]+\)$/);
    if (example.fleet) {
      // Every drain and restore acts on the server's attachments, and says so in its undo.
      for (const step of reversible) {
        expect(step.action === 'node.drain' || step.action === 'node.restore').toBe(true);
        expect('attachments' in step.params && step.params.attachments).toHaveLength(1);
        expect(printed.get(step.index)).toMatch(/on each (attachment|of its 1 attachment)/);
      }
    }
  });

  it.each(reversible.map((step) => [`${step.index}. ${step.action}`, step.id] as const))(
    'a failure right after %s',
    async (_, id) => {
      const { world, plan } = setUp(example);
      const failed = plan.steps.find((step) => step.id === id) as Step;
      const result = await runModel(world, plan, { wrap: failRightAfter(world, plan, failed) });
      if (result === 'crashed') throw new Error('crashed');
      expect(result.outcome).toBe('halted');

      const undone = expectedUndone(plan, failed);
      expect(journaledCompensations(world)).toEqual(
        undone.map((step) => ({ step: step.id, undo: printed.get(step.index) })),
      );
      // Entries with the new field still read back as journal entries.
      for (const line of world.journalLines) expect(entryProblem(JSON.parse(line))).toBeUndefined();
      // And the undo happened as it reads.
      for (const step of undone) {
        if (step.action === 'node.drain') {
          expect(world.backends.get(step.params.serverId)).toBe(step.params.expectedWeight);
        } else if (step.action === 'node.restore') {
          expect(world.backends.get(step.params.serverId)).toBe(0);
        } else if (step.action === 'dns.point') {
          expect(world.dnsRecord).toMatchObject(step.params.from ?? {});
        } else if (step.action === 'dns.set-ttl') {
          expect(world.dnsRecord.ttl).toBe(step.params.fromTtl);
        }
      }
    },
  );
});
