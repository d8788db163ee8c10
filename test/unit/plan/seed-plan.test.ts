import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { hashPlan, type Plan, planRollout, type Step } from '#src/plan/index.js';
import { afterSeedRun, balancer, emulatorWorld, NET } from '#support/observed-inventory.js';
import { loadExample } from '#support/workflows.js';

const seed = loadExample('workflows/kernel-patch.yaml');
const plan = planRollout(seed.spec, emulatorWorld(), seed.source, sha256Hex);

function step<A extends Step['action']>(p: Plan, action: A, node?: string) {
  const found = p.steps.find((s) => s.action === action && (node === undefined || s.node === node));
  if (found === undefined) throw new Error(`no ${action} ${node ?? ''}`);
  return found as Extract<Step, { action: A }>;
}

// The example asks whether a server needs the patch before anything else (patch.neededWhen).
const NODE_SEQUENCE = [
  'node.capture-baseline',
  'gate',
  'node.drain',
  'node.wait-drained',
  'node.patch',
  'node.reboot',
  'node.wait-healthy',
  'node.verify',
  'node.restore',
];

describe('the seed story planned against the emulator before its migration', () => {
  it('builds the balancer, proves the path, brings web-2 in, moves DNS, then patches web-1 and web-2', () => {
    expect(plan.steps.map((s) => `${s.phase}:${s.action}${s.node ? `:${s.node}` : ''}`)).toEqual([
      'prepare:lb.create',
      'prepare:lb.ensure-listener',
      'prepare:lb.add-backends',
      'prepare:lb.start-listener',
      'prepare:lb.verify-path',
      'prepare:node.restore:i-emu-web-2',
      'prepare:dns.set-ttl',
      'prepare:wait',
      'prepare:dns.point',
      'prepare:dns.verify',
      ...NODE_SEQUENCE.map((action) => `rollout:${action}:i-emu-web-1`),
      ...NODE_SEQUENCE.map((action) => `rollout:${action}:i-emu-web-2`),
      'finish:dns.point',
    ]);
    expect(plan.batches).toEqual([
      { index: 1, nodes: ['i-emu-web-1'] },
      { index: 2, nodes: ['i-emu-web-2'] },
    ]);
    expect(plan.loadBalancer).toEqual({ name: 'web-slb', create: true });
    expect(plan.stopOnFailure).toBe(true);
  });

  it('numbers steps from 1 with stable ids', () => {
    plan.steps.forEach((s, offset) => {
      expect(s.index).toBe(offset + 1);
    });
    expect(plan.steps[0]?.id).toBe('s001-lb.create');
    expect(step(plan, 'node.drain', 'i-emu-web-1').id).toBe('s013-node.drain-i-emu-web-1');
    expect(new Set(plan.steps.map((s) => s.id)).size).toBe(plan.steps.length);
  });

  it('refers to the new balancer by reference, everywhere', () => {
    const ids = plan.steps.flatMap((s) =>
      'loadBalancerId' in s.params ? [s.params.loadBalancerId] : [],
    );
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) expect(id).toEqual({ ref: 'loadBalancer.id' });
    expect(step(plan, 'lb.verify-path').params.address).toEqual({ ref: 'loadBalancer.address' });
    expect(step(plan, 'dns.point').params.to.value).toEqual({ ref: 'loadBalancer.address' });
    expect(step(plan, 'dns.verify').params.expect).toEqual({ ref: 'loadBalancer.address' });
  });

  it('creates the balancer idempotently and adds web-1 at 100 and web-2 at 0', () => {
    const create = step(plan, 'lb.create').params.request;
    expect(create).toMatchObject({
      name: 'web-slb',
      addressType: 'internet',
      tags: { app: 'web', 'managed-by': 'drainctl' },
    });
    expect(create.clientToken).toMatch(/^drainctl-[0-9a-f]{40}$/);
    expect(step(plan, 'lb.ensure-listener').params.listener).toMatchObject({
      protocol: 'tcp',
      port: 8080,
      backendPort: 8080,
      healthCheck: { enabled: true, type: 'http', uri: '/healthz' },
    });
    expect(step(plan, 'lb.add-backends').params.backends).toEqual([
      { serverId: 'i-emu-web-1', weight: 100, type: 'ecs' },
      { serverId: 'i-emu-web-2', weight: 0, type: 'ecs' },
    ]);
    expect(step(plan, 'lb.verify-path').params).toMatchObject({
      port: 8080,
      check: 'http',
      path: '/healthz',
      expectStatus: [200],
      serverIds: ['i-emu-web-1', 'i-emu-web-2'],
    });
  });

  it('brings web-2 into service with a target weight before DNS moves', () => {
    const bringIn = step(plan, 'node.restore', 'i-emu-web-2');
    expect(bringIn.phase).toBe('prepare');
    expect(bringIn.params.targetWeight).toBe(100);
    expect(bringIn.params.rampPercent).toEqual([10, 50, 100]);
    expect(bringIn.inverse).toMatchObject({ kind: 'inverse', action: 'node.drain' });
    const rolloutRestore = plan.steps.find(
      (s) => s.action === 'node.restore' && s.phase === 'rollout' && s.node === 'i-emu-web-2',
    );
    expect(rolloutRestore?.params).not.toHaveProperty('targetWeight');
    // In the rollout web-2 serves at its serving weight, so its drain expects 100.
    const drain = plan.steps.find((s) => s.action === 'node.drain' && s.node === 'i-emu-web-2');
    expect(drain?.params).toMatchObject({ expectedWeight: 100 });
  });

  it('lowers the TTL, waits the old one, points, verifies, and raises it back at the end', () => {
    expect(step(plan, 'dns.set-ttl').params).toMatchObject({
      recordId: 'rec-1',
      value: `${NET}.11`,
      fromTtl: 10,
      toTtl: 1,
    });
    expect(step(plan, 'wait').params.seconds).toBe(10);
    const point = plan.steps.filter((s) => s.action === 'dns.point');
    expect(point[0]?.params).toMatchObject({
      recordId: 'rec-1',
      from: { value: `${NET}.11`, ttl: 10 },
      to: { ttl: 1 },
    });
    expect(point[0]?.inverse).toMatchObject({ kind: 'inverse', action: 'dns.point' });
    expect(point[1]?.phase).toBe('finish');
    expect(point[1]?.params).toMatchObject({
      to: { value: { ref: 'loadBalancer.address' }, ttl: 10 },
    });
    expect(step(plan, 'dns.verify').params.nameServers).toEqual([`${NET}.53:5353`]);
  });

  it('resolves every per-node parameter: probe path, host, health checks at the private IP, gate', () => {
    const wait = step(plan, 'node.wait-drained', 'i-emu-web-2');
    expect(wait.params).toMatchObject({
      quietSeconds: 5,
      timeoutSeconds: 120,
      onTimeout: 'halt',
      probe: {
        kind: 'access-log',
        source: { type: 'local', path: '.drainctl/emulator/instances/i-emu-web-2/access.log' },
        format: { kind: 'combined' },
        filter: {
          ignoreCidrs: ['100.64.0.0/10'],
          healthCheck: { method: 'HEAD', uri: '/healthz' },
          clientAddress: 'remote_addr',
        },
      },
    });
    expect(step(plan, 'node.patch', 'i-emu-web-1').params).toEqual({
      host: { kind: 'ecs', instanceId: 'i-emu-web-1' },
      commands: ['yum update kernel -y'],
      timeoutSeconds: 900,
    });
    expect(step(plan, 'node.wait-healthy', 'i-emu-web-2').params.checks).toEqual([
      {
        kind: 'http',
        host: `${NET}.12`,
        port: 8080,
        path: '/healthz',
        expectStatus: [200],
        timeoutMs: 2000,
      },
    ]);
    expect(step(plan, 'node.verify', 'i-emu-web-1').params.expect).toEqual({ kind: 'changed' });
    const gate = step(plan, 'gate', 'i-emu-web-1');
    expect(gate.params).toMatchObject({ minHealthy: 1, maxUnavailable: 1, groupPeers: [] });
    const nodeSeconds = plan.steps
      .filter((s) => s.node === 'i-emu-web-1' && s.phase === 'rollout')
      .reduce((sum, s) => sum + s.expectedSeconds, 0);
    expect(gate.params.expectedNodeSeconds).toBe(nodeSeconds);
  });

  it('gives every mutating step an inverse or the reason it has none, and read-only steps none', () => {
    for (const s of plan.steps) {
      if (s.mutates) expect(s.inverse.kind, s.id).not.toBe('none');
      else expect(s.inverse.kind, s.id).toBe('none');
      if (s.inverse.kind === 'irreversible') expect(s.inverse.reason.length).toBeGreaterThan(10);
      expect(s.description.length, s.id).toBeGreaterThan(10);
      expect(s.expectedSeconds, s.id).toBeGreaterThan(0);
    }
    expect(step(plan, 'node.drain', 'i-emu-web-1').inverse).toMatchObject({
      kind: 'inverse',
      action: 'node.restore',
    });
    expect(step(plan, 'node.reboot', 'i-emu-web-1').inverse.kind).toBe('irreversible');
  });

  it('is plain data: no object appears twice (serialisers would take a shared one for a cycle)', () => {
    const seen = new Set<object>();
    const walk = (value: unknown): void => {
      if (value === null || typeof value !== 'object') return;
      expect(seen.has(value)).toBe(false);
      seen.add(value);
      for (const inner of Object.values(value)) walk(inner);
    };
    walk(plan);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('estimates the total as prepare + the slowest node of each batch + finish', () => {
    const sum = (steps: Step[]) => steps.reduce((total, s) => total + s.expectedSeconds, 0);
    expect(plan.estimate.totalSeconds).toBe(sum(plan.steps));
    expect(plan.sha256).toBe(hashPlan(plan, sha256Hex));
  });
});

describe('a re-run of the seed story', () => {
  it('finds everything in place and creates nothing twice', () => {
    const rerun = planRollout(seed.spec, afterSeedRun(), seed.source, sha256Hex);
    const actions = rerun.steps.map((s) => s.action);
    for (const action of [
      'lb.create',
      'lb.ensure-listener',
      'lb.add-backends',
      'lb.start-listener',
      'dns.set-ttl',
      'dns.point',
      'wait',
    ] as const) {
      expect(actions).not.toContain(action);
    }
    expect(rerun.steps.every((s) => s.phase === 'rollout')).toBe(true);
    expect(rerun.loadBalancer).toEqual({ id: 'lb-emu-1', name: 'web-slb', create: false });
    expect(step(rerun, 'node.drain', 'i-emu-web-1').params.loadBalancerId).toBe('lb-emu-1');
    expect(rerun.notes).toEqual(
      expect.arrayContaining([
        expect.stringContaining('already exists'),
        expect.stringContaining('exists and is running'),
        expect.stringContaining('already points'),
      ]),
    );
  });

  it('finishes what a first run left half done, and nothing else', () => {
    const halfway = emulatorWorld({
      // The balancer and web-1 exist; the listener was never started; web-2 never added.
      loadBalancer: balancer([{ id: 'i-emu-web-1', weight: 100, health: 'unavailable' }], {
        listenerDetails: [
          {
            ...(afterSeedRun().loadBalancer?.listenerDetails[0] as NonNullable<
              ReturnType<typeof afterSeedRun>['loadBalancer']
            >['listenerDetails'][number]),
            status: 'stopped',
          },
        ],
      }),
    });
    const resumed = planRollout(seed.spec, halfway, seed.source, sha256Hex);
    expect(resumed.steps.filter((s) => s.phase === 'prepare').map((s) => s.action)).toEqual([
      'lb.add-backends',
      'lb.start-listener',
      'lb.verify-path',
      'node.restore',
      'dns.set-ttl',
      'wait',
      'dns.point',
      'dns.verify',
    ]);
    expect(step(resumed, 'lb.add-backends').params.backends).toEqual([
      { serverId: 'i-emu-web-2', weight: 0, type: 'ecs' },
    ]);
    expect(step(resumed, 'dns.point').params.to.value).toBe(`${NET}.101`);
  });

  it('brings web-2 in again when a first run stopped before its ramp finished', () => {
    const world = afterSeedRun();
    const lb = balancer([
      { id: 'i-emu-web-1', weight: 100 },
      { id: 'i-emu-web-2', weight: 10 },
    ]);
    const rerun = planRollout(seed.spec, { ...world, loadBalancer: lb }, seed.source, sha256Hex);
    const bringIn = step(rerun, 'node.restore', 'i-emu-web-2');
    expect(bringIn.phase).toBe('prepare');
    expect(bringIn.params.targetWeight).toBe(100);
  });
});
