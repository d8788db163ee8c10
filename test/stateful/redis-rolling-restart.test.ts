/**
 * A whole rolling restart of a real six-node Redis Cluster (three masters, three replicas) through
 * `drainctl run`, with `member.redis`: the emulator supplies the balancer and six servers, each
 * server's private IP (a loopback address) is where its Redis node listens, and the "patch" is a
 * restart of that node's redis-server over SSH (a loopback SSH server per server). A client writes
 * through an ioredis Cluster client the whole time and records every acknowledged write: at the
 * end every one is readable, and the longest window in which writes failed or stalled is printed.
 * Then a run killed (kill -9) right after journaling a failover intent is resumed and ends with a
 * healthy cluster, every node restarted, no acknowledged write lost.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '#mocks/index.js';
import { startRedisBehindBalancer } from '#support/redis-behind-balancer.js';
import { type RedisClusterProcesses, startRedisCluster } from '#support/redis-cluster.js';
import {
  drainctl,
  journal,
  killMidFailoverThenResume,
  latestRunId,
  type RunEnv,
  resumedFailover,
} from '#support/rollout-on-emulator.js';
import type { TestKeys, TestSshServer } from '#support/ssh-server.js';

const IDS = [1, 2, 3, 4, 5, 6].map((n) => `i-emu-redis-${n}`);

let env: RunEnv;
let emu: Emulator;
let cluster: RedisClusterProcesses;
const sshServers: TestSshServer[] = [];
let restarts = new Map<string, number>();
let keys: TestKeys;
let key: string;
let backups: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drainctl-redis-run-'));
  const world = await startRedisBehindBalancer(
    dir,
    IDS,
    (ips) => startRedisCluster(6, ips),
    (redis) => redis.addresses,
  );
  ({ emu, redis: cluster, keys, key, restarts } = world);
  const { loadBalancerId } = world;
  sshServers.push(...world.sshServers);
  backups = join(dir, 'backups');
  const port = cluster.addresses[0]?.split(':')[1];
  const workflow = join(dir, 'redis.yaml');
  await writeFile(
    workflow,
    `name: redis-rolling
region: cn-hangzhou
loadBalancer:
  id: \${LOAD_BALANCER_ID}
backends:
  instances: [${IDS.join(', ')}]
rollout: { maxUnavailable: 1, minHealthy: 5 }
drain:
  probe: { kind: none, waitSeconds: 0 }
  quietSeconds: 1
  timeoutSeconds: 20
access:
  via: ssh
  ssh: { user: ops, privateKey: ${key}, hostKeyFingerprint: "${keys.hostFingerprint}" }
  nodes:
${IDS.map((id, i) => `    ${id}: { ssh: { address: 127.0.0.1, port: ${sshServers[i]?.port} } }`).join('\n')}
patch:
  commands: [restart-redis]
  reboot: false
  verify: false
health:
  checks: [{ type: tcp, port: ${port} }]
  consecutiveSuccesses: 1
  intervalSeconds: 1
  timeoutSeconds: 30
restore: { rampPercent: [100], holdSeconds: 0, max5xxRate: 0.01, minRequests: 20 }
inventory:
  redis:
    seeds: [${cluster.addresses.slice(0, 2).join(', ')}]
    expect: { masters: 3, replicas: 3 }
member:
  redis:
    address: "{privateIp}:${port}"
    backup: { dir: ${backups} }
    failoverTimeoutSeconds: 30
    catchUpTimeoutSeconds: 60
`,
  );
  env = {
    emu,
    dir,
    home: join(dir, 'home'),
    workflow,
    loadBalancerId,
    env: {
      DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
      ALIBABA_CLOUD_REGION_ID: emu.region,
      DRAINCTL_HOME: join(dir, 'home'),
      LOAD_BALANCER_ID: loadBalancerId,
      DRAINCTL_LOG_LEVEL: 'warn',
    },
    close: async () => {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}, 120_000);

afterAll(async () => {
  for (const server of sshServers) await server.close();
  await cluster?.stop();
  await env?.close();
});

/** Writes one key after another through a cluster client, keeping every acknowledged one. */
function startWriter(prefix: string) {
  const client = new Cluster(
    cluster.addresses.map((address) => {
      const [host, port] = address.split(':');
      return { host: host ?? '', port: Number(port) };
    }),
    { redisOptions: { commandTimeout: 2000 }, clusterRetryStrategy: () => 100 },
  );
  client.on('error', () => undefined);
  const acknowledged: number[] = [];
  let failures = 0;
  let longestGapMs = 0;
  let running = true;
  const done = (async () => {
    let last = Date.now();
    for (let i = 0; running; i += 1) {
      try {
        await client.set(`${prefix}:${i}`, String(i));
        acknowledged.push(i);
        const now = Date.now();
        longestGapMs = Math.max(longestGapMs, now - last);
        last = now;
      } catch {
        failures += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      const lost: number[] = [];
      for (let from = 0; from < acknowledged.length; from += 500) {
        const chunk = acknowledged.slice(from, from + 500);
        const values = await Promise.all(chunk.map((i) => client.get(`${prefix}:${i}`)));
        chunk.forEach((i, n) => {
          if (values[n] !== String(i)) lost.push(i);
        });
      }
      client.disconnect();
      return { acknowledged: acknowledged.length, failures, longestGapMs, lost };
    },
  };
}

async function healthy(): Promise<{ state: string; masters: number; replicas: number }> {
  const info = await cluster.cli(cluster.addresses[0] ?? '', 'CLUSTER', 'INFO');
  const nodes = await cluster.cli(cluster.addresses[0] ?? '', 'CLUSTER', 'NODES');
  return {
    state: /cluster_state:(\w+)/.exec(info)?.[1] ?? '?',
    masters: nodes.split('\n').filter((l) => / (myself,)?master /.test(l)).length,
    replicas: nodes.split('\n').filter((l) => / (myself,)?slave /.test(l)).length,
  };
}

describe('a rolling restart of a Redis Cluster through drainctl', () => {
  it('restarts all six nodes, failing each master over first; no acknowledged write is lost', async () => {
    const writer = startWriter('roll');
    const run = await drainctl(env, ['run', env.workflow, '--yes']);
    const result = await writer.stop();
    expect(run.code, run.stderr).toBe(0);
    console.log(
      `rolling restart: ${result.acknowledged} acknowledged writes, ${result.failures} failed attempts, longest window without an acknowledged write ${result.longestGapMs} ms`,
    );
    expect(result.lost).toEqual([]);
    expect(result.acknowledged).toBeGreaterThan(100);
    expect([...restarts.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(await healthy()).toEqual({ state: 'ok', masters: 3, replicas: 3 });

    const entries = await journal(env, await latestRunId(env));
    const failovers = entries.filter(
      (e) => e.type === 'result' && e.op === 'redis-failover' && e.applied === true,
    );
    // Masters 1-3 go first; their replicas, masters by their turn, are failed over back.
    expect(failovers).toHaveLength(6);
    const backedUp = entries.filter(
      (e) => e.type === 'step' && e.action === 'redis.backup' && e.status === 'ok',
    );
    expect(backedUp).toHaveLength(6);
    for (const entry of backedUp) {
      const data = entry.data as { file: string; sha256: string };
      const bytes = await readFile(data.file);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(data.sha256);
    }
    const rejoined = entries.filter(
      (e) => e.type === 'step' && e.action === 'redis.rejoin' && e.status === 'ok',
    );
    expect(rejoined).toHaveLength(6);
  }, 600_000);

  it('resumes a run killed mid-failover: a healthy cluster, every node restarted, no write lost', async () => {
    restarts.clear();
    const writer = startWriter('crash');
    const { seq, runId, resumed } = await killMidFailoverThenResume(env);
    const result = await writer.stop();
    expect(resumed.code, resumed.stderr).toBe(0);
    console.log(
      `kill -9 mid-failover, resumed: ${result.acknowledged} acknowledged writes, ${result.failures} failed attempts, longest window without an acknowledged write ${result.longestGapMs} ms`,
    );
    expect(result.lost).toEqual([]);
    expect(await healthy()).toEqual({ state: 'ok', masters: 3, replicas: 3 });
    expect([...restarts.keys()].sort()).toEqual([...cluster.addresses].sort());
    // Whether the kill landed before the failover's result: it is sent and seen in a fraction of
    // a second, so either may happen; both must end well.
    const { cutShort, judged } = await resumedFailover(env, runId, seq);
    console.log(`killed ${cutShort ? 'before' : 'after'} the failover's result was journaled`);
    // The failover cut short was judged again after the resume, and its step ended well.
    expect(judged.some((e) => e.status === 'ok')).toBe(true);
  }, 600_000);
});
