/**
 * A real Redis Cluster for tests: six redis-server processes (the Debian package's binary, which
 * `.ci/run` installs) on loopback in a temp directory, made three masters with one replica each by
 * `redis-cli --cluster create`. Ports are free ones found by binding port 0 (Redis has no port 0
 * of its own), the cluster bus on a second free port. `stop` ends the processes this started.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './self-run-balancers.js';

const run = promisify(execFile);

export const REDIS_MISSING =
  'the redis-server binary is not installed: `.ci/run` installs it (apt-get install -y redis-server)';

export function redisServerBinary(): string | undefined {
  return ['redis-server', '/usr/bin/redis-server'].find((candidate) => {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
}

export interface RedisClusterProcesses {
  dir: string;
  addresses: string[];
  /** Stop the node at `address` (SIGTERM, no save) and start it again on its config and nodes.conf. */
  restart(address: string): Promise<void>;
  /** Stop the node at `address` (SIGTERM). */
  stopNode(address: string): Promise<void>;
  /** Start a stopped node again; resolves once it answers PING. */
  startNode(address: string): Promise<void>;
  /** `redis-cli` against one node; its output. */
  cli(address: string, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * @param hosts one loopback address per node (e.g. the emulator's instances, so a node is found
 *   at its server's private IP); all then listen on one port free on every one of them. Default:
 *   every node on one loopback address of the cluster's own (127.x.y.z, at random), each on its
 *   own port — never 127.0.0.1, where a port another test's cluster freed a moment ago and this
 *   one took would let the two clusters' gossip meet.
 */
export async function startRedisCluster(
  size = 6,
  hosts?: readonly string[],
): Promise<RedisClusterProcesses> {
  const binary = redisServerBinary();
  if (binary === undefined) throw new Error(REDIS_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'drainctl-redis-'));
  const children: ChildProcess[] = [];
  const addresses: string[] = [];
  const configs = new Map<string, string>();
  const shared = hosts === undefined ? undefined : await portFreeOn(hosts);
  const own = ownLoopbackAddress();
  const cli = async (address: string, ...args: string[]): Promise<string> => {
    const [host = '', port = ''] = address.split(':');
    const { stdout } = await run('redis-cli', ['-h', host, '-p', port, ...args]);
    return stdout;
  };
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i += 1) {
      const host = hosts?.[i] ?? own;
      const port = shared?.port ?? (await freePort());
      const busPort = shared?.busPort ?? (await freePort());
      const nodeDir = join(dir, `node-${i}`);
      execFileSync('mkdir', ['-p', nodeDir]);
      writeFileSync(
        join(nodeDir, 'redis.conf'),
        [
          `port ${port}`,
          `bind ${host}`,
          // Off 127.0.0.1 the bus would be reached from 127.0.0.1 and gossip that address.
          `cluster-announce-ip ${host}`,
          `cluster-port ${busPort}`,
          'cluster-enabled yes',
          'cluster-node-timeout 2000',
          `dir ${nodeDir}`,
          'appendonly no',
          'save ""',
          'daemonize no',
          '',
        ].join('\n'),
      );
      children.push(spawn(binary, [join(nodeDir, 'redis.conf')], { stdio: 'ignore' }));
      addresses.push(`${host}:${port}`);
      configs.set(`${host}:${port}`, join(nodeDir, 'redis.conf'));
    }
    for (const address of addresses)
      await waitFor(async () => (await cli(address, 'PING')).includes('PONG'));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    // Every node must see the whole topology (the replicas are announced a moment after create).
    const replicas = String(size / 2);
    for (const address of addresses) {
      await waitFor(async () => {
        const info = await cli(address, 'CLUSTER', 'INFO');
        const nodes = await cli(address, 'CLUSTER', 'NODES');
        return (
          info.includes('cluster_state:ok') && String(nodes.split('slave').length - 1) === replicas
        );
      });
    }
    // And every replica's first sync done: until then it is not in sync with its master.
    for (const address of addresses) {
      await waitFor(async () => {
        const replication = await cli(address, 'INFO', 'replication');
        return replication.includes('role:master') || replication.includes('master_link_status:up');
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const stopNode = async (address: string): Promise<void> => {
    const child = children[addresses.indexOf(address)];
    if (child === undefined) throw new Error(`no Redis node ${address}`);
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };
  const startNode = async (address: string): Promise<void> => {
    const config = configs.get(address);
    if (config === undefined) throw new Error(`no Redis node ${address}`);
    children[addresses.indexOf(address)] = spawn(binary, [config], { stdio: 'ignore' });
    await waitFor(async () => (await cli(address, 'PING')).includes('PONG'));
  };
  const restart = async (address: string): Promise<void> => {
    await stopNode(address);
    await startNode(address);
  };
  return { dir, addresses, cli, stop, restart, stopNode, startNode };
}

/** One port (and a bus port) free on every host, for nodes that differ by address only. */
/** A loopback address of a test's own (127.x.y.z at random), for servers no other test reaches. */
export function ownLoopbackAddress(): string {
  const octet = () => 1 + Math.floor(Math.random() * 254);
  return `127.${octet()}.${octet()}.${octet()}`;
}

async function portFreeOn(hosts: readonly string[]): Promise<{ port: number; busPort: number }> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await freePort();
    const busPort = await freePort();
    if (
      (await Promise.all(hosts.flatMap((h) => [bindable(h, port), bindable(h, busPort)]))).every(
        Boolean,
      )
    )
      return { port, busPort };
  }
  throw new Error(`no port free on all of ${hosts.join(', ')}`);
}

function bindable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function waitFor(test: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await test()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('Redis did not get ready in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
