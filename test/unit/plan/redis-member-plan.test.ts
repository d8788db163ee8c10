// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax under test
/**
 * `member.redis`: each server a Redis Cluster node. The plan adds a backup (when asked) and a
 * failover-if-master before the capacity gate, and the catch-up wait after verify, before the
 * weight returns; the runbook prints them from the same steps; bad input is refused with exit-3
 * lines; a workflow without it plans exactly as before.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClusterNodes } from '#src/adapters/redis/cluster-nodes.js';
import { sha256Hex } from '#src/engine/sha256.js';
import { InvalidInputError } from '#src/errors/index.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import { undoLine } from '#src/plan/undo.js';
import { parseWorkflow } from '#src/workflow/index.js';
import { emulatorWorld } from '#support/observed-inventory.js';
import { workflowFrom } from '#support/workflows.js';

const seedText = readFileSync(
  new URL('../../../workflows/kernel-patch.yaml', import.meta.url),
  'utf8',
);

const INVENTORY =
  'inventory:\n  redis:\n    seeds: [127.0.5.11:6379]\n    password: ${REDIS_PASSWORD}\n    expect: { masters: 3, replicas: 3 }\n';

const NODES = `a1 127.0.5.11:6379@16379 myself,master - 0 0 1 connected 0-5460
a2 127.0.5.12:6379@16379 master - 0 0 2 connected 5461-10922
a3 127.0.5.13:6379@16379 master - 0 0 3 connected 10923-16383
b1 127.0.5.14:6379@16379 slave a1 0 0 1 connected
b2 127.0.5.15:6379@16379 slave a2 0 0 2 connected
b3 127.0.5.16:6379@16379 slave a3 0 0 3 connected
`;

function planOf(member: string, env: Record<string, string> = { REDIS_PASSWORD: 'pw-7d1c0' }) {
  const { spec, source } = workflowFrom(`${seedText}${INVENTORY}${member}`, env);
  return planRollout(
    spec,
    emulatorWorld({
      redis: {
        askedAt: '127.0.5.11:6379',
        clusterState: 'ok',
        slotsAssigned: 16384,
        nodes: parseClusterNodes(NODES).map((n) => ({ ...n, version: '7.0.15' })),
      },
    }),
    source,
    sha256Hex,
  );
}

function issues(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseWorkflow({ file: 'r.yaml', text }, env);
  } catch (error) {
    if (error instanceof InvalidInputError)
      return error.issues.map((issue) => `${issue.path}: ${issue.expected} / ${issue.found}`);
    throw error;
  }
  throw new Error('the workflow was accepted');
}

describe('member.redis in the plan', () => {
  const plan = planOf(
    'member:\n  redis:\n    backup: { dir: /var/backups/redis }\n    failoverTimeoutSeconds: 45\n',
  );
  const steps = (node: string) =>
    plan.steps.filter((s) => s.node === node && s.phase === 'rollout');

  it('backs up and fails over before the gate, waits for the catch-up after verify and before the ramp', () => {
    const actions = steps('i-emu-web-1').map((s) => s.action);
    // The baseline first: a server already patched is skipped, never failed over.
    expect(actions).toEqual([
      'node.capture-baseline',
      'redis.backup',
      'redis.failover',
      'gate',
      'node.drain',
      'node.wait-drained',
      'node.patch',
      'node.reboot',
      'node.wait-healthy',
      'node.verify',
      'redis.rejoin',
      'node.restore',
    ]);
  });

  it('carries the node address from {privateIp}, the inventory password and the timeouts', () => {
    const [, backup, failover] = steps('i-emu-web-2');
    expect(backup?.params).toEqual({
      address: '127.0.5.12:6379',
      password: 'pw-7d1c0',
      commandTimeoutSeconds: 5,
      host: { kind: 'ecs', instanceId: 'i-emu-web-2' },
      dir: '/var/backups/redis',
      timeoutSeconds: 600,
    });
    expect(failover?.params).toEqual({
      address: '127.0.5.12:6379',
      password: 'pw-7d1c0',
      commandTimeoutSeconds: 5,
      maxLagBytes: 65536,
      timeoutSeconds: 45,
    });
    const rejoin = steps('i-emu-web-2').find((s) => s.action === 'redis.rejoin');
    expect(rejoin?.params).toMatchObject({ intervalSeconds: 1, timeoutSeconds: 600 });
  });

  it('prints each step from its data, with its undo or why it has none, and never the password', () => {
    const runbook = renderRunbook(plan);
    expect(runbook).toContain(
      'If Redis 127.0.5.11:6379 (i-emu-web-1 (web-1)) is a master when its turn comes: CLUSTER FAILOVER on a replica of it in sync (link up, at most 65536 bytes behind), which takes over once it has every write, then wait until both see the roles swapped and cluster_state is ok (within 45 s, else it stays in service and the rollout halts); a replica goes on as it is',
    );
    expect(runbook).toContain(
      'Back up Redis 127.0.5.11:6379 on i-emu-web-1 (web-1): BGSAVE, wait until LASTSAVE changes, then copy its RDB file into /var/backups/redis via Cloud Assistant with a timestamped name, its sha256 journaled',
    );
    expect(runbook).toContain(
      'Wait until Redis 127.0.5.11:6379 (i-emu-web-1 (web-1)) answers as a replica with master_link_status:up',
    );
    const failover = steps('i-emu-web-1').find((s) => s.action === 'redis.failover');
    expect(undoLine(failover?.inverse ?? { kind: 'none' })).toBe(
      'none — the roles are not swapped back: the node returns as a replica of the same data (CLUSTER FAILOVER on it makes it master again)',
    );
    expect(runbook).not.toContain('pw-7d1c0');
  });

  it('leaves the backup out unless asked; the address template and the password are the member’s own', () => {
    const own = planOf(
      'member:\n  redis:\n    address: "{name}.redis:7000"\n    password: ${MEMBER_PW}\n',
      { REDIS_PASSWORD: 'pw-7d1c0', MEMBER_PW: 'member-pw-2b' },
    );
    const first = own.steps.filter((s) => s.node === 'i-emu-web-1' && s.phase === 'rollout');
    expect(first.some((s) => s.action === 'redis.backup')).toBe(false);
    expect(first.find((s) => s.action === 'redis.failover')?.params).toMatchObject({
      address: 'web-1.redis:7000',
      password: 'member-pw-2b',
    });
  });

  it('plans exactly as before without it', () => {
    const { spec, source } = workflowFrom(seedText, {});
    const before = planRollout(spec, emulatorWorld(), source, sha256Hex);
    expect(before.steps.some((s) => s.action.startsWith('redis.'))).toBe(false);
  });
});

describe('member.redis input', () => {
  it('needs inventory.redis beside it, a password from the environment and known placeholders', () => {
    expect(
      issues(`${seedText}member:\n  redis:\n    address: "{host}:6379"\n    password: hunter2\n`),
    ).toEqual([
      'member.redis: inventory.redis beside it (the plan checks the cluster is as expected before any node is failed over) / no inventory.redis',
      'member.redis.address: placeholders among {instanceId}, {name}, {privateIp} / {host}',
      'member.redis.password: a reference to an environment variable like ${REDIS_PASSWORD} (secrets are never written in workflow files) / a literal value',
    ]);
  });

  it('refuses a malformed address, a relative backup dir and an unknown field', () => {
    expect(
      issues(
        `${seedText}${INVENTORY}member:\n  redis:\n    address: "{privateIp}"\n    backup: { dir: backups }\n    failover: true\n`,
        { REDIS_PASSWORD: 'x' },
      ),
    ).toEqual([
      'member.redis.address: a host:port template like {privateIp}:6379 / "{privateIp}"',
      'member.redis.backup.dir: an absolute directory on the server, without spaces or shell characters / "backups"',
      'member.redis.failover: a known key (address, password, backup, failoverTimeoutSeconds, catchUpTimeoutSeconds, maxLagBytes) / unknown key "failover"',
    ]);
  });

  it('is refused in a fleet workflow, which reads no inventory', () => {
    const fleet = seedText
      .replace(/^loadBalancer:\n(?: .*\n)+/m, '')
      .replace(/^dns:\n(?: .*\n)+/m, '');
    expect(issues(`${fleet}${INVENTORY}member:\n  redis: {}\n`, { REDIS_PASSWORD: 'x' })).toEqual([
      'member: a workflow with one loadBalancer (a fleet workflow has no member kinds yet) / a fleet workflow',
    ]);
  });

  it('takes one node at a time: a master and its replica are never out together', () => {
    const wide = seedText.replace(/maxUnavailable: 1\b/, 'maxUnavailable: 2');
    expect(wide).not.toBe(seedText);
    expect(issues(`${wide}${INVENTORY}member:\n  redis: {}\n`, { REDIS_PASSWORD: 'x' })).toEqual([
      'rollout.maxUnavailable: 1 with member.redis (one Redis node out of service at a time) / 2',
    ]);
    const canary = seedText.replace(
      /maxUnavailable: 1\b.*\n/,
      (line) => `${line}  canary: { servers: 2, bakeMinutes: 1 }\n`,
    );
    expect(issues(`${canary}${INVENTORY}member:\n  redis: {}\n`, { REDIS_PASSWORD: 'x' })).toEqual([
      'rollout.canary.servers: 1 with member.redis (one Redis node out of service at a time) / 2',
    ]);
  });

  it('masks the member password', () => {
    const { secrets } = parseWorkflow(
      {
        file: 'r.yaml',
        text: `${seedText}${INVENTORY}member:\n  redis:\n    password: \${MEMBER_PW}\n`,
      },
      { REDIS_PASSWORD: 'inv-pw-1', MEMBER_PW: 'member-pw-2' },
    );
    expect(secrets).toEqual(expect.arrayContaining(['inv-pw-1', 'member-pw-2']));
  });
});

describe('member.redis under Sentinel', () => {
  it('gives each step the sentinels and the master name, and says the failover goes through Sentinel', () => {
    const { spec, source } = workflowFrom(
      `${seedText}inventory:\n  redis:\n    mode: sentinel\n    sentinels: [127.0.5.21:26379, 127.0.5.22:26379]\n    masterName: main\n    expect: { replicas: 1 }\nmember:\n  redis: {}\n`,
      {},
    );
    const seen = {
      mode: 'sentinel' as const,
      masterName: 'main',
      askedAt: '127.0.5.21:26379',
      quorum: 1,
      knownSentinels: 2,
      sentinels: ['127.0.5.21:26379', '127.0.5.22:26379'].map((address) => ({
        address,
        master: '127.0.5.11:6379',
      })),
      nodes: [
        {
          address: '127.0.5.11:6379',
          listedAs: 'master' as const,
          down: false,
          role: 'master' as const,
          linkUp: false,
        },
        {
          address: '127.0.5.12:6379',
          listedAs: 'replica' as const,
          down: false,
          role: 'replica' as const,
          masterAddress: '127.0.5.11:6379',
          linkUp: true,
        },
      ],
    };
    const plan = planRollout(spec, emulatorWorld({ redis: seen }), source, sha256Hex);
    const failover = plan.steps.find((s) => s.action === 'redis.failover');
    expect(failover?.params).toMatchObject({
      sentinel: { sentinels: ['127.0.5.21:26379', '127.0.5.22:26379'], masterName: 'main' },
    });
    expect(failover?.description).toContain(
      'CLIENT PAUSE WRITE on it, wait until every replica linked to it has its offset, SENTINEL FAILOVER main',
    );
    expect(plan.steps.find((s) => s.action === 'redis.rejoin')?.description).toContain(
      'the sentinels of main name its master, as every node they list agrees',
    );
  });
});
