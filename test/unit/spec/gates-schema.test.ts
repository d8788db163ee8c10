// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax under test
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#src/errors/index.js';
import { parseWorkflow } from '#src/workflow/index.js';
import { loadExample } from '#support/workflows.js';

const HEAD = `name: kafka
region: cn-hangzhou
loadBalancer: { id: lb-abc }
backends: { instances: [i-a] }
drain: { probe: { kind: none, waitSeconds: 0 } }
patch: { commands: [yum update -y] }
`;

function parse(gates: string, extra = '') {
  return parseWorkflow({ file: 'k.yaml', text: `${HEAD}${extra}gates:\n${gates}` }, {});
}

function issues(gates: string, extra = ''): string[] {
  try {
    parse(gates, extra);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      return error.issues.map((issue) => `${issue.path}: ${issue.expected} / ${issue.found}`);
    }
    throw error;
  }
  throw new Error('the workflow was accepted');
}

describe('gates', () => {
  it('reads command and HTTP gates with their defaults; none by default', () => {
    const { spec } = parse(
      '  before:\n    - { type: command, name: in-sync, command: "check {privateIp}" }\n  after:\n    - { type: http, name: ok, port: 8080 }\n',
    );
    expect(spec.gates.before).toEqual([
      {
        type: 'command',
        name: 'in-sync',
        on: 'local',
        command: 'check {privateIp}',
        exitCode: 0,
        commandTimeoutSeconds: 30,
        timeoutSeconds: 300,
        intervalSeconds: 5,
      },
    ]);
    expect(spec.gates.after).toEqual([
      {
        type: 'http',
        name: 'ok',
        port: 8080,
        path: '/',
        expectStatus: [200],
        requestTimeoutSeconds: 5,
        timeoutSeconds: 300,
        intervalSeconds: 5,
      },
    ]);
    expect(parseWorkflow({ file: 'k.yaml', text: HEAD }, {}).spec.gates).toEqual({
      before: [],
      after: [],
    });
  });

  it('refuses a gate of no known type, a bad regex, an unknown key and a missing port, with their paths', () => {
    expect(issues('  before:\n    - { type: sql, name: x }\n')).toEqual([
      'gates.before[0].type: a gate with type command or http / a mapping with type, name',
    ]);
    const found = issues(
      '  before:\n    - { type: command, name: x, command: c, outputMatches: "(" }\n  after:\n    - { type: http, name: y, url: "http://a" }\n',
    );
    expect(found[0]).toBe('gates.before[0].outputMatches: a valid regular expression / "("');
    expect(found.some((line) => line.startsWith('gates.after[0]'))).toBe(true);
  });

  it('refuses an unknown placeholder, two gates of one side with one name, and a Cloud Assistant timeout below 10 s', () => {
    expect(
      issues(
        '  before:\n    - { type: command, name: x, command: "c {ip}" }\n    - { type: http, name: x, port: 80, host: "{host}" }\n    - { type: command, name: z, on: host, command: c, commandTimeoutSeconds: 5 }\n',
      ),
    ).toEqual([
      'gates.before[0].command: placeholders among {instanceId}, {name}, {privateIp} / {ip}',
      'gates.before[1].name: a name no other before-gate has / x',
      'gates.before[1].host: placeholders among {instanceId}, {name}, {privateIp} / {host}',
      "gates.before[2].commandTimeoutSeconds: at least 10 seconds (Cloud Assistant's minimum command timeout; servers are reached via ecs) / 5",
    ]);
  });

  it('accepts the Kafka and ZooKeeper example', () => {
    const { spec } = loadExample('workflows/kafka-gates.yaml', { LOAD_BALANCER_ID: 'lb-abc' });
    expect(spec.gates.before.map((g) => g.name)).toEqual(['kafka-in-sync', 'zk-quorum-without-me']);
    expect(spec.gates.after.map((g) => g.name)).toEqual(['kafka-in-sync', 'zk-member-ok']);
  });
});

describe('secrets in gates', () => {
  it("treats a value a gate's command takes from the environment as a secret", () => {
    const { secrets } = parseWorkflow(
      {
        file: 'k.yaml',
        text: `${HEAD}gates:\n  before:\n    - { type: command, name: replicated, command: "redis-cli -a \${REDIS_PW} info" }\n`,
      },
      { REDIS_PW: 'pw7' },
    );
    expect(secrets).toContain('pw7');
  });
});

describe('the Redis Cluster example', () => {
  it('parses, the member kind in place of gates, its password a secret of the inventory', () => {
    const { spec, secrets } = loadExample('workflows/redis-cluster.yaml', {
      LOAD_BALANCER_ID: 'lb-abc',
      REDIS_PASSWORD: 'redis-pw-5c1e',
    });
    expect(spec.inventory?.redis?.expect).toEqual({
      masters: 3,
      replicas: 3,
      allSlotsCovered: true,
      minVersion: '7.0',
    });
    expect(spec.gates).toEqual({ before: [], after: [] });
    expect(spec.member?.redis).toEqual({
      address: '{privateIp}:6379',
      backup: { dir: '/var/backups/redis', timeoutSeconds: 600 },
      failoverTimeoutSeconds: 60,
      catchUpTimeoutSeconds: 600,
      maxLagBytes: 65536,
    });
    expect(secrets).toContain('redis-pw-5c1e');
  });

  it('masks the Redis password of the inventory, used nowhere else', () => {
    const { secrets } = parseWorkflow(
      {
        file: 'r.yaml',
        text: `${HEAD}inventory:\n  redis: { seeds: ["10.0.0.1:6379"], password: "\${PW}", expect: { masters: 3, replicas: 3 } }\n`,
      },
      { PW: 'only-here-9f2' },
    );
    expect(secrets).toEqual(['only-here-9f2']);
  });

  it('refuses a Redis password written in the file', () => {
    expect(
      issues(
        '  before: []\n',
        'inventory:\n  redis: { seeds: ["10.0.0.1:6379"], password: hunter2, expect: { masters: 3, replicas: 3 } }\n',
      ),
    ).toEqual([
      'inventory.redis.password: a reference to an environment variable like ${REDIS_PASSWORD} (secrets are never written in workflow files) / a literal value',
    ]);
  });
});

describe('the Redis Sentinel example', () => {
  it('parses in sentinel mode, its password a secret of the inventory', () => {
    const { spec, secrets } = loadExample('workflows/redis-sentinel.yaml', {
      LOAD_BALANCER_ID: 'lb-abc',
      REDIS_PASSWORD: 'redis-pw-8d2a',
    });
    expect(spec.inventory?.redis).toMatchObject({
      mode: 'sentinel',
      sentinels: ['10.0.1.21:26379', '10.0.1.22:26379', '10.0.1.23:26379'],
      masterName: 'main',
      expect: { replicas: 2, minVersion: '6.2' },
    });
    expect(spec.member?.redis?.address).toBe('{privateIp}:6379');
    expect(secrets).toContain('redis-pw-8d2a');
  });
});
