// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is workflow syntax
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { InvalidInputError } from '#src/errors/index.js';
import { type ObservedInventory, planRollout } from '#src/plan/index.js';
import {
  afterSeedRun,
  balancer,
  emulatorWorld,
  instance,
  SEED_LISTENER,
} from '#support/observed-inventory.js';
import { loadExample, workflowFrom } from '#support/workflows.js';

/** The error of validating and planning `text` (a spec-level check may catch it first). */
function planError(text: string, world: ObservedInventory): InvalidInputError {
  try {
    const { spec, source } = workflowFrom(text);
    planRollout(spec, world, source, sha256Hex);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('planned without complaint');
}

const existing = (body: string) => `name: w
region: cn-hangzhou
loadBalancer:
  id: lb-emu-1
drain:
  probe: { kind: none, waitSeconds: 1 }
  timeoutSeconds: 60
${body}`;

const fourOnBalancer = () =>
  emulatorWorld({
    loadBalancer: balancer([1, 2, 3, 4].map((n) => ({ id: `i-emu-web-${n}`, weight: 100 }))),
  });

describe('plans the live world makes impossible are invalid input naming the path', () => {
  it.each<[string, string, () => ObservedInventory, string, string]>([
    [
      'an instance that does not exist',
      'backends:\n  instances: [i-emu-web-1, i-emu-web-9]\n',
      fourOnBalancer,
      'backends.instances[1]',
      'i-emu-web-9, which does not',
    ],
    [
      'a stopped instance',
      'backends:\n  instances: [i-emu-web-1, i-emu-web-2]\n',
      () => ({ ...fourOnBalancer(), instances: [instance(1), instance(2, { status: 'Stopped' })] }),
      'backends.instances[1]',
      'is Stopped',
    ],
    [
      'a tag selector that selects nobody',
      'backends:\n  tags: { app: api }\n',
      fourOnBalancer,
      'backends.tags',
      'no instance carries app=api',
    ],
    [
      'a balancer id that does not exist',
      'backends:\n  tags: { app: web }\n',
      () => emulatorWorld(),
      'loadBalancer.id',
      'which does not exist',
    ],
    [
      'a group member outside a tag-selected fleet',
      'backends:\n  tags: { app: web }\nrollout:\n  groups: { pair: [i-emu-web-1, i-db-1] }\n',
      fourOnBalancer,
      'rollout.groups.pair[1]',
      'i-db-1, which is not',
    ],
    [
      'per-node access for a server outside the fleet',
      'backends:\n  tags: { app: web }\naccess:\n  nodes:\n    i-db-1: { via: ecs }\n',
      fourOnBalancer,
      'access.nodes.i-db-1',
      'which is not',
    ],
    [
      'a listener that exists with another backend port',
      'backends:\n  all: true\nloadBalancer:\n  id: lb-emu-1\n  listeners:\n    - { protocol: tcp, port: 8080, backendPort: 80, healthCheck: { type: http, uri: /healthz } }\n',
      fourOnBalancer,
      'loadBalancer.listeners[0]',
      'backendPort: live 8080, workflow 80',
    ],
    [
      'an SSH user missing for a server reached over SSH',
      'backends:\n  all: true\naccess:\n  nodes:\n    i-emu-web-2: { via: ssh, ssh: { knownHosts: /etc/ssh/known_hosts } }\n',
      fourOnBalancer,
      'access.nodes.i-emu-web-2.ssh.user',
      'nothing',
    ],
  ])('%s', (_name, body, world, path, found) => {
    const text = existing(body).replace(
      /^loadBalancer:\n {2}id: lb-emu-1\n(?=[\s\S]*^loadBalancer:)/m,
      '',
    );
    const error = planError(text, world());
    expect(error.exitCode).toBe(3);
    expect(error.issues.map((issue) => issue.path)).toContain(path);
    const issue = error.issues.find((candidate) => candidate.path === path);
    expect(`${issue?.expected} / ${issue?.found}`).toContain(found);
    expect(error.message).toMatch(/^test\.yaml(:\d+:\d+)?: /);
  });

  it('a TTL below what the zone allows, and a locked record', () => {
    const seed = loadExample('workflows/kernel-patch.yaml');
    const world = emulatorWorld();
    if (world.dns) {
      world.dns.minimumTtl = 600;
      if (world.dns.record) world.dns.record.locked = true;
    }
    let error: unknown;
    try {
      planRollout(seed.spec, world, seed.source, sha256Hex);
    } catch (caught) {
      error = caught;
    }
    const paths = (error as InvalidInputError).issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['dns.ttl.lowerTo', 'dns.record']));
    expect((error as InvalidInputError).message).toContain('workflows/kernel-patch.yaml:');
  });

  it('a balancer found by name that is not active', () => {
    const seed = loadExample('workflows/kernel-patch.yaml');
    const world = afterSeedRun();
    if (world.loadBalancer) world.loadBalancer.status = 'locked';
    expect(() => planRollout(seed.spec, world, seed.source, sha256Hex)).toThrow(
      /an active load balancer/,
    );
  });
});

describe('planner details beyond the seed', () => {
  it('selects by tags in name order, reaches nodes over SSH, and tails logs there', () => {
    const { spec, source } = workflowFrom(`name: w
region: cn-hangzhou
loadBalancer: { id: lb-emu-1 }
backends: { tags: { app: web } }
rollout: { order: listed }
access:
  via: ssh
  ssh: { user: ops, privateKey: /keys/id_ed25519, hostKeyFingerprint: "SHA256:${'A'.repeat(43)}" }
  nodes:
    i-emu-web-3: { via: ecs }
drain:
  probe: { kind: access-log, source: ssh, path: /var/log/nginx/access.log }
  quietSeconds: 5
  timeoutSeconds: 60
hooks:
  before: [{ on: local, command: "echo {name} {privateIp}" }]
`);
    const world = fourOnBalancer();
    world.instances = [instance(10), instance(2), instance(3), instance(1)];
    world.loadBalancer = balancer(
      [1, 2, 3, 10].map((n) => ({ id: `i-emu-web-${n}`, weight: 100 })),
    );
    const plan = planRollout(spec, world, source, sha256Hex);
    expect(plan.nodes.map((node) => node.name)).toEqual(['web-1', 'web-2', 'web-3', 'web-10']);
    const patch2 = plan.steps.find((s) => s.action === 'node.reboot' && s.node === 'i-emu-web-2');
    expect(patch2?.params).toMatchObject({
      host: {
        kind: 'ssh',
        address: '127.0.5.12',
        port: 22,
        username: 'ops',
        privateKeyPath: '/keys/id_ed25519',
      },
    });
    const patch3 = plan.steps.find((s) => s.action === 'node.reboot' && s.node === 'i-emu-web-3');
    expect(patch3?.params).toMatchObject({ host: { kind: 'ecs', instanceId: 'i-emu-web-3' } });
    const wait = plan.steps.find(
      (s) => s.action === 'node.wait-drained' && s.node === 'i-emu-web-3',
    );
    expect(wait?.params).toMatchObject({
      probe: {
        source: {
          type: 'ssh',
          host: '127.0.5.13',
          username: 'ops',
          path: '/var/log/nginx/access.log',
        },
      },
    });
    const hook = plan.steps.find((s) => s.action === 'hook' && s.node === 'i-emu-web-1');
    expect(hook?.params).toEqual({
      when: 'before',
      host: { kind: 'local' },
      command: 'echo web-1 127.0.5.11',
      timeoutSeconds: 300,
    });
    // The before-hook runs while the node still serves: before its gate.
    const order = plan.steps.filter((s) => s.node === 'i-emu-web-1').map((s) => s.action);
    expect(order.slice(0, 4)).toEqual(['hook', 'gate', 'node.capture-baseline', 'node.drain']);
  });

  it('reads the client from X-Forwarded-For behind an http listener, and checks the balancer by reference when it is new', () => {
    const { spec, source } = workflowFrom(`name: w
region: cn-hangzhou
loadBalancer:
  create: { name: api-slb }
  listeners:
    - { protocol: http, port: 80, backendPort: 8080, healthCheck: { uri: /ready, method: get } }
backends: { instances: [i-emu-web-1, i-emu-web-2] }
drain:
  probe: { kind: access-log, path: "/logs/{instanceId}.log" }
  quietSeconds: 5
  timeoutSeconds: 60
health:
  checks: [{ type: load-balancer }, { type: tcp, port: 8080 }]
`);
    const plan = planRollout(spec, emulatorWorld(), source, sha256Hex);
    const wait = plan.steps.find((s) => s.action === 'node.wait-drained');
    expect(wait?.params).toMatchObject({
      probe: {
        filter: { clientAddress: 'x_forwarded_for', healthCheck: { method: 'GET', uri: '/ready' } },
      },
    });
    const healthy = plan.steps.find((s) => s.action === 'node.wait-healthy');
    expect(healthy?.params).toMatchObject({
      checks: [{ kind: 'tcp', host: '127.0.5.11', port: 8080, timeoutMs: 2000 }],
      balancerChecks: [{ loadBalancerId: { ref: 'loadBalancer.id' }, serverId: 'i-emu-web-1' }],
    });
    const listener = plan.steps.find((s) => s.action === 'lb.ensure-listener');
    expect(listener?.params).toMatchObject({
      listener: { xForwardedFor: true, healthCheck: { type: 'http' } },
    });
  });

  it('rolls over all backends of an existing balancer, leaving parked ones at weight 0', () => {
    const { spec, source } = workflowFrom(existing('backends: { all: true }\n'));
    const world = emulatorWorld({
      loadBalancer: balancer([
        { id: 'i-emu-web-2', weight: 100 },
        { id: 'i-emu-web-1', weight: 0 },
        { id: 'i-emu-web-3', weight: 50 },
      ]),
    });
    const plan = planRollout(spec, world, source, sha256Hex);
    expect(plan.nodes.map((node) => [node.id, node.weight])).toEqual([
      ['i-emu-web-1', 0],
      ['i-emu-web-2', 100],
      ['i-emu-web-3', 50],
    ]);
    expect(plan.steps.some((s) => s.action === 'node.restore' && s.phase === 'prepare')).toBe(
      false,
    );
    expect(plan.notes).toEqual(expect.arrayContaining([expect.stringContaining('is at weight 0')]));
    const listener = world.loadBalancer?.listenerDetails[0];
    expect(listener).toEqual(SEED_LISTENER);
  });
});

describe('an impossible budget says why, and never suggests minHealthy 0', () => {
  const twoServers = (lb: string) => `name: w
region: cn-hangzhou
loadBalancer: { id: ${lb} }
backends: { instances: [i-emu-web-1, i-emu-web-2] }
drain: { probe: { kind: none, waitSeconds: 1 } }
patch: { commands: [yum update kernel -y] }
`;

  it('a balancer that does not exist is the only problem, not a budget of nothing', () => {
    const error = planError(twoServers('lb-doesnotexist'), emulatorWorld());
    expect(error.issues.map((issue) => issue.path)).toEqual(['loadBalancer.id']);
    expect(error.message).toContain(
      'loadBalancer.id: expected an existing load balancer in region cn-hangzhou, found lb-doesnotexist, which does not exist',
    );
  });

  it('a server left at weight 0 is named, with the run its saved weight names', () => {
    const saved = '100;run=r-20261121-020000-1a2b;at=2026-11-21T02:00:01.000Z';
    for (const [tags, named] of [
      [
        { 'drainctl-weight-i-emu-web-2': saved },
        'at weight 0: i-emu-web-2 (web-2), left there by run r-20261121-020000-1a2b (weight 100 saved on the balancer)',
      ],
      [{}, 'at weight 0: i-emu-web-2 (web-2) (no run saved a weight for it)'],
    ] as const) {
      const world = emulatorWorld({
        loadBalancer: balancer(
          [
            { id: 'i-emu-web-1', weight: 100 },
            { id: 'i-emu-web-2', weight: 0 },
          ],
          { tags },
        ),
      });
      const error = planError(twoServers('lb-emu-1'), world);
      expect(error.issues).toHaveLength(1);
      expect(error.path).toBe('rollout.minHealthy');
      expect(error.expected).toContain(
        'more healthy, weighted backends than minHealthy while a server is out (bring one into service first)',
      );
      expect(error.expected).toContain(named);
      expect(error.message).not.toMatch(/at most 0\b/);
    }
  });
});

describe('X-Forwarded-For off behind a layer-7 listener', () => {
  it('an observed http listener with X-Forwarded-For off refuses the default filter, saying how to fix it', () => {
    const http = { ...SEED_LISTENER, protocol: 'http' as const, port: 80, xForwardedFor: false };
    const world = emulatorWorld({
      loadBalancer: balancer(
        [1, 2].map((n) => ({ id: `i-emu-web-${n}`, weight: 100 })),
        { listenerDetails: [http] },
      ),
    });
    const probe = (filter: string) => `name: w
region: cn-hangzhou
loadBalancer: { id: lb-emu-1 }
backends: { instances: [i-emu-web-1, i-emu-web-2] }
patch: { commands: [yum update kernel -y] }
drain:
  probe:
    kind: access-log
    path: /var/log/{name}.log
    format: { nginx: '$remote_addr "$request" $status "$http_x_forwarded_for"' }
    filter: ${filter}
`;
    for (const filter of [
      '{}',
      '{ clientAddress: remote_addr }',
      '{ ignoreCidrs: [100.64.0.0/16] }',
    ]) {
      const error = planError(probe(filter), world);
      expect(error.issues).toHaveLength(1);
      expect(error.path).toBe('drain.probe.filter.ignoreCidrs');
      expect(error.expected).toContain(
        'the http:80 listener has X-Forwarded-For off, so every request it proxies reaches the server from the balancer with no client address',
      );
      expect(error.expected).toContain(
        'Turn it on (X-Forwarded-For on for that listener of web-slb (lb-emu-1))',
      );
      expect(error.expected).toContain('or use ignoreCidrs: []');
    }
    // Health checks told by their request instead: planned.
    const { spec, source } = workflowFrom(probe('{ ignoreCidrs: [] }'));
    expect(planRollout(spec, world, source, sha256Hex).steps.length).toBeGreaterThan(0);
    // With it on (the default), the client is read from X-Forwarded-For: planned.
    const on = emulatorWorld({
      loadBalancer: balancer(
        [1, 2].map((n) => ({ id: `i-emu-web-${n}`, weight: 100 })),
        { listenerDetails: [{ ...http, xForwardedFor: true }] },
      ),
    });
    const fine = workflowFrom(probe('{}'));
    expect(planRollout(fine.spec, on, fine.source, sha256Hex).steps.length).toBeGreaterThan(0);
  });
});

describe('per-node placeholders and ${VAR} values', () => {
  const hooked = (command: string) =>
    existing(`backends: { instances: [i-emu-web-1] }
hooks:
  before: [{ on: local, command: ${JSON.stringify(command)} }]
`);
  const fourServing = () =>
    emulatorWorld({
      loadBalancer: balancer([1, 2, 3, 4].map((n) => ({ id: `i-emu-web-${n}`, weight: 100 }))),
    });

  it('a value from the environment holding {word} is neither a placeholder nor expanded', () => {
    // {ab} is not a placeholder (refusing it would print part of the secret), and {name} inside
    // the value is the value's own text, not the server's name.
    const env = { TOKEN: 'pw{ab}Q7x!', OTHER: 'x{name}y' };
    const { spec, source, secrets } = workflowFrom(hooked('echo {name} ${TOKEN} ${OTHER}'), env);
    expect(secrets).toEqual(expect.arrayContaining(['pw{ab}Q7x!', 'x{name}y']));
    const plan = planRollout(spec, fourServing(), source, sha256Hex);
    const hook = plan.steps.find((s) => s.action === 'hook');
    expect(hook?.params).toMatchObject({ command: 'echo web-1 pw{ab}Q7x! x{name}y' });
  });

  it('an unset variable is one problem, not also a {VAR} placeholder', () => {
    const error = planError(hooked('mysql -p${TOKEN} -e "select {name}"'), fourServing());
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      path: 'hooks.before[0].command',
      found: 'TOKEN not set',
    });
    expect(error.message).not.toContain('placeholders among');
  });

  it('an unknown placeholder written in the file is still refused, naming it', () => {
    const error = planError(hooked('echo {nmae} ${TOKEN}'), fourServing());
    expect(error.issues.map((issue) => issue.found)).toContain('{nmae}');
  });
});

describe('DNS edge cases', () => {
  it('never raises the TTL on the way in, and adds a record that does not exist yet', () => {
    const seed = loadExample('workflows/kernel-patch.yaml');
    seed.spec.dns = seed.spec.dns && { ...seed.spec.dns, ttl: { lowerTo: 60, waitOldTtl: true } };
    const plan = planRollout(seed.spec, emulatorWorld(), seed.source, sha256Hex);
    const actions = plan.steps.map((s) => s.action);
    expect(actions).not.toContain('dns.set-ttl');
    expect(actions).not.toContain('wait');
    const point = plan.steps.find((s) => s.action === 'dns.point');
    expect(point?.params).toMatchObject({ to: { ttl: 10 } });

    const world = emulatorWorld();
    if (world.dns) delete world.dns.record;
    const added = planRollout(seed.spec, world, seed.source, sha256Hex);
    const add = added.steps.find((s) => s.action === 'dns.point');
    expect(add?.params).not.toHaveProperty('from');
    expect(add?.params).toMatchObject({ to: { ttl: 60 } });
    expect(add?.inverse.kind).toBe('irreversible');
  });
});
