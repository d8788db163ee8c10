/**
 * A real Redis Cluster for tests: six redis-server processes (the Debian package's binary, which
 * `.ci/run` installs) on loopback in a temp directory, made three masters with one replica each by
 * `redis-cli --cluster create`. Ports are free ones found by binding port 0 (Redis has no port 0
 * of its own), the cluster bus on a second free port. `stop` ends the processes this started.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  /** `redis-cli` against one node; its output. */
  cli(address: string, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startRedisCluster(size = 6): Promise<RedisClusterProcesses> {
  const binary = redisServerBinary();
  if (binary === undefined) throw new Error(REDIS_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'drainctl-redis-'));
  const children: ChildProcess[] = [];
  const addresses: string[] = [];
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
      const port = await freePort();
      const busPort = await freePort();
      const nodeDir = join(dir, `node-${i}`);
      execFileSync('mkdir', ['-p', nodeDir]);
      writeFileSync(
        join(nodeDir, 'redis.conf'),
        [
          `port ${port}`,
          'bind 127.0.0.1',
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
      addresses.push(`127.0.0.1:${port}`);
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
  } catch (error) {
    await stop();
    throw error;
  }
  return { dir, addresses, cli, stop };
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
