import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeLoopback } from '#mocks/emulator/addresses.js';
import {
  LoopbackAddressError,
  loadTopologyFile,
  parseTopology,
  startEmulator,
  TopologyError,
} from '#mocks/index.js';
import type { EmulatedWorld } from '#mocks/world/index.js';
import {
  Alidns,
  AlidnsClientClass,
  Ecs,
  EcsClientClass,
  sdkConfig,
} from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';

describe('topology', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-topology-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the default topology is the brief: four web servers, www → web-1 with TTL 10', () => {
    const topology = parseTopology();
    expect(topology.region).toBe('cn-hangzhou');
    expect(
      topology.instances.map((i) => [
        i.id,
        i.name,
        i.hostname,
        i.kernel,
        i.availableKernel,
        i.osName,
      ]),
    ).toEqual(
      [1, 2, 3, 4].map((n) => [
        `i-emu-web-${n}`,
        `web-${n}`,
        `web-${n}`,
        '3.10.0-1160.el7.x86_64',
        '3.10.0-1160.119.1.el7.x86_64',
        'CentOS 7.9 64 bit',
      ]),
    );
    expect(topology.instances[0]?.tags).toEqual({ app: 'web', env: 'demo' });
    expect(topology.domains).toEqual([
      {
        name: 'example.com',
        edition: 'ultimate',
        records: [{ rr: 'www', type: 'A', instance: 'i-emu-web-1', ttl: 10, line: 'default' }],
      },
    ]);
  });

  it('invalid files are refused naming the file, the path, what was expected and what was found', async () => {
    const cases: [string, RegExp][] = [
      ['instances:\n  - id: web-1\n', /bad\.yaml: instances\[0\]\.id: .*"i-".*found "web-1"/],
      [
        'instances:\n  - id: i-a\n  - id: i-a\n',
        /instances\[1\]\.id: expected a unique instance id/,
      ],
      ['subnet: 127.0.0.0/24\ninstances:\n  - id: i-a\n', /subnet: 127\.0\.0\.0\/24 is reserved/],
      [
        'instances:\n  - id: i-a\ndomains:\n  - name: example.com\n    records:\n      - rr: www\n        instance: i-b\n',
        /domains\[0\]\.records\[0\]\.instance: expected one of i-a, found "i-b"/,
      ],
      ['instances:\n  - id: i-a\n    colour: blue\n', /instances\[0\]: .*colour/],
      ['instances: [\n', /not valid YAML/],
      ['region: cn-hangzhou\n', /instances: give instances, or a fleet to generate/],
      [
        'subnet: 127.77.1.0/24\nfleet: { balancers: 2, instances: 90, seed: 1 }\n',
        /subnet: at most 89 instances in a \/24 subnet .*use a \/16/,
      ],
      ['subnet: 127.0.0.0/16\ninstances:\n  - id: i-a\n', /subnet: 127\.0\.0\.0\/24 is reserved/],
      ['fleet: { balancers: 2, instances: 2001, seed: 1 }\n', /fleet\.instances: .*2000/],
    ];
    for (const [text, pattern] of cases) {
      const file = join(dir, 'bad.yaml');
      await writeFile(file, text);
      expect(() => loadTopologyFile(file)).toThrow(TopologyError);
      expect(() => loadTopologyFile(file)).toThrow(pattern);
    }
    expect(() => loadTopologyFile(join(dir, 'missing.yaml'))).toThrow(/cannot read it/);
  });

  it('a topology file with a fixed subnet, its own instances and a free-edition domain', async () => {
    const file = join(dir, 'custom.yaml');
    await writeFile(
      file,
      [
        'region: cn-shanghai',
        'subnet: 127.201.7.0/24',
        'appPort: 9000',
        'timings: { keepaliveRequests: 7, bootSeconds: 9 }',
        'accessLogFormat: combined_request_time',
        'instances:',
        '  - id: i-app-a',
        '    name: app-a',
        '    tags: { role: app }',
        '  - id: i-app-b',
        'domains:',
        '  - name: shop.test',
        '    edition: free',
        '    records:',
        '      - { rr: "@", instance: i-app-b, ttl: 600 }',
      ].join('\n'),
    );
    const emu = await startEmulator({ topology: file, timings: FAST, port: 0 });
    try {
      expect(emu.subnet).toBe('127.201.7.0/24');
      // The topology sets the world's pace; startEmulator's own timings (FAST) win.
      expect((emu.world as EmulatedWorld).timings).toMatchObject({
        keepaliveRequests: 7,
        bootSeconds: FAST.bootSeconds,
      });
      expect(emu.state().instances.map((i) => [i.id, i.privateIp, i.app])).toEqual([
        ['i-app-a', '127.201.7.11', '127.201.7.11:9000'],
        ['i-app-b', '127.201.7.12', '127.201.7.12:9000'],
      ]);
      const ecs = new EcsClientClass(sdkConfig(emu));
      const found = await ecs.describeInstances(
        new Ecs.DescribeInstancesRequest({ regionId: 'cn-shanghai' }),
      );
      expect(found.body?.instances?.instance?.[1]).toMatchObject({
        instanceId: 'i-app-b',
        hostName: 'i-app-b',
      });
      const dns = new AlidnsClientClass(sdkConfig(emu));
      const info = await dns.describeDomainInfo(
        new Alidns.DescribeDomainInfoRequest({ domainName: 'shop.test' }),
      );
      expect(info.body).toMatchObject({ minTtl: 600, versionCode: 'mianfei' });
      const records = await dns.describeSubDomainRecords(
        new Alidns.DescribeSubDomainRecordsRequest({ subDomain: 'shop.test' }),
      );
      expect(records.body?.domainRecords?.record?.[0]).toMatchObject({
        RR: '@',
        value: '127.201.7.12',
        TTL: 600,
      });
    } finally {
      await emu.close();
    }
  });

  it('a generated fleet: the same seed gives the same balancers, ids and attachments, re-created after a reset', async () => {
    const input = { fleet: { balancers: 4, instances: 12, seed: 7 } };
    const first = parseTopology(input);
    expect(parseTopology(input).balancers).toEqual(first.balancers);
    expect(parseTopology({ fleet: { ...input.fleet, seed: 8 } }).balancers).not.toEqual(
      first.balancers,
    );
    expect(first.instances.map((i) => i.id)).toEqual(
      Array.from({ length: 12 }, (_, i) => `i-fleet-${String(i + 1).padStart(2, '0')}`),
    );
    const places = new Map<string, number>();
    for (const balancer of first.balancers) {
      for (const server of [
        ...balancer.backends,
        ...balancer.vServerGroups.flatMap((g) => g.servers),
      ])
        places.set(server.serverId, (places.get(server.serverId) ?? 0) + 1);
    }
    for (const instance of first.instances) {
      expect(places.get(instance.id), instance.id).toBeGreaterThanOrEqual(1);
      expect(places.get(instance.id), instance.id).toBeLessThanOrEqual(3);
    }
    expect([...places.values()].some((count) => count > 1)).toBe(true);

    const emu = await startEmulator({ port: 0, topology: input, timings: FAST });
    try {
      const state = () =>
        emu
          .state()
          .loadBalancers.map((lb) => lb.id)
          .sort();
      expect(state()).toEqual(first.balancers.map((b) => b.id).sort());
      await emu.reset();
      expect(state()).toEqual(first.balancers.map((b) => b.id).sort());
    } finally {
      await emu.close();
    }
  });

  it('a fleet read from a topology file (as `drainctl emulator --topology` reads it) is generated once', async () => {
    const file = join(dir, 'fleet.yaml');
    await writeFile(file, 'fleet: { balancers: 3, instances: 10, seed: 5 }\n');
    const topology = loadTopologyFile(file);
    const emu = await startEmulator({ port: 0, topology, timings: FAST });
    try {
      expect(emu.state().instances).toHaveLength(10);
      expect(emu.state().loadBalancers).toHaveLength(3);
    } finally {
      await emu.close();
    }
  });

  it('listed balancers and a fixed record id exist at start and again after a reset', async () => {
    const emu = await startEmulator({
      port: 0,
      timings: FAST,
      topology: {
        instances: [{ id: 'i-a', name: 'a' }, { id: 'i-b' }],
        balancers: [
          {
            id: 'lb-mirror-1',
            name: 'web',
            addressType: 'internet',
            tags: { app: 'web' },
            backends: [{ serverId: 'i-a', weight: 70 }],
            vServerGroups: [
              {
                id: 'rsp-mirror-1',
                name: 'api',
                servers: [{ serverId: 'i-b', port: 8080, weight: 30 }],
              },
            ],
          },
        ],
        domains: [
          {
            name: 'example.com',
            records: [{ rr: 'www', instance: 'i-a', ttl: 60, recordId: '77' }],
          },
        ],
      },
    });
    try {
      const seen = () => ({
        balancers: emu.state().loadBalancers.map((lb) => ({ id: lb.id, backends: lb.backends })),
        records: emu.state().records.map((r) => [r.recordId, r.ttl]),
      });
      const expected = {
        balancers: [
          {
            id: 'lb-mirror-1',
            backends: [expect.objectContaining({ serverId: 'i-a', weight: 70 })],
          },
        ],
        records: [['77', 60]],
      };
      expect(seen()).toEqual(expected);
      expect(emu.topology.balancers[0]).toMatchObject({
        name: 'web',
        addressType: 'internet',
        vServerGroups: [{ id: 'rsp-mirror-1', name: 'api' }],
      });
      await emu.reset();
      expect(seen()).toEqual(expected);
    } finally {
      await emu.close();
    }
    expect(() =>
      parseTopology({
        instances: [{ id: 'i-a' }],
        balancers: [{ id: 'lb-1', backends: [{ serverId: 'i-gone', weight: 10 }] }],
      }),
    ).toThrow(
      'topology: balancers[0].backends[0].serverId: expected one of the instances, found "i-gone"',
    );
  });

  it('an address the system does not route is reported with the ifconfig alias that fixes it', async () => {
    // 192.0.2.1 (TEST-NET-1) is configured nowhere: binding it fails the way 127.x.y.z does on macOS.
    const error = await probeLoopback('192.0.2.1', ['192.0.2.1', '192.0.2.53']).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LoopbackAddressError);
    expect((error as Error).message).toContain('cannot bind 192.0.2.1');
    expect((error as Error).message).toContain('sudo ifconfig lo0 alias 192.0.2.53 up');
    await expect(probeLoopback('127.0.0.1', [])).resolves.toBeUndefined();
  });

  it('emulators pick different random /24s, never 127.0.0.0/24', async () => {
    const subnets = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const emu = await startEmulator({ timings: FAST, port: 0 });
      subnets.add(emu.subnet);
      expect(emu.subnet).toMatch(/^127\.(\d+)\.(\d+)\.0\/24$/);
      expect(emu.subnet.startsWith('127.0.0.')).toBe(false);
      await emu.close();
    }
    expect(subnets.size).toBe(3);
  });

  it('a fleet of 1,000 instances gets a random /16: 89 instances in each /24 of it, every one serving', async () => {
    const emu = await startEmulator({
      timings: FAST,
      port: 0,
      topology: { fleet: { balancers: 100, instances: 1000, seed: 3 } },
    });
    try {
      expect(emu.subnet).toMatch(/^127\.(\d+)\.0\.0\/16$/);
      expect(emu.subnet.startsWith('127.0.')).toBe(false);
      const net = emu.subnet.replace(/\.0\.0\/16$/, '');
      const ips = emu.state().instances.map((instance) => instance.privateIp);
      expect(new Set(ips).size).toBe(1000);
      expect(ips[0]).toBe(`${net}.0.11`);
      expect(ips[88]).toBe(`${net}.0.99`);
      expect(ips[89]).toBe(`${net}.1.11`);
      expect(ips[999]).toBe(`${net}.11.31`);
      const last = await fetch(`http://${ips[999]}:8080/healthz`);
      expect(last.status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});
