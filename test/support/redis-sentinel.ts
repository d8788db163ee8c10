/**
 * Redis under Sentinel for tests: one master, two replicas and three sentinels (Debian's
 * redis-server, the sentinels as `redis-server <conf> --sentinel`) on a loopback address of their
 * own (127.x.y.z: never meeting another test's on a port it just freed), each on a free port found
 * by binding port 0, in a temp directory. With `hosts`, node i listens on hosts[i] (a
 * loopback address, e.g. an emulated server's private IP), all on one port. `stop` ends only the
 * processes this started.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ownLoopbackAddress, REDIS_MISSING, redisServerBinary } from './redis-cluster.js';
import { freePort } from './self-run-balancers.js';

const run = promisify(execFile);

export const SENTINEL_MASTER_NAME = 'drainctl';

export interface RedisSentinelProcesses {
  dir: string;
  /** The nodes, the first the master at the start. */
  nodes: string[];
  sentinels: string[];
  masterName: string;
  /** `redis-cli` against one node or sentinel; its output. */
  cli(address: string, ...args: string[]): Promise<string>;
  /** The master's address as the first sentinel that answers names it. */
  master(): Promise<string>;
  /** Stop the node at `address` (SIGTERM); resolves once it has exited. */
  stopNode(address: string): Promise<void>;
  /** Start a stopped node again on its config; resolves once it answers PING. */
  startNode(address: string): Promise<void>;
  /** Stop the node (SIGTERM, no save) and start it again. */
  restart(address: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedisSentinel(
  options: { replicas?: number; sentinels?: number; hosts?: readonly string[] } = {},
): Promise<RedisSentinelProcesses> {
  const binary = redisServerBinary();
  if (binary === undefined) throw new Error(REDIS_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'drainctl-sentinel-'));
  const processes = new Map<string, ChildProcess>();
  const configs = new Map<string, { file: string; sentinel: boolean }>();
  const cli = async (address: string, ...args: string[]): Promise<string> => {
    const [host = '', port = ''] = address.split(':');
    const { stdout } = await run('redis-cli', ['-h', host, '-p', port, ...args]);
    return stdout;
  };
  const launch = (address: string): ChildProcess => {
    const config = configs.get(address);
    if (config === undefined) throw new Error(`no Redis process ${address}`);
    const child = spawn(binary, config.sentinel ? [config.file, '--sentinel'] : [config.file], {
      stdio: 'ignore',
    });
    processes.set(address, child);
    return child;
  };
  const stopNode = async (address: string): Promise<void> => {
    const child = processes.get(address);
    if (child === undefined) throw new Error(`no Redis process ${address}`);
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };
  const stop = async (): Promise<void> => {
    await Promise.all([...processes.keys()].map(stopNode));
    rmSync(dir, { recursive: true, force: true });
  };
  const nodes: string[] = [];
  const sentinels: string[] = [];
  try {
    const replicaCount = options.replicas ?? 2;
    const sentinelCount = options.sentinels ?? 3;
    const shared = options.hosts === undefined ? undefined : await freePort();
    const own = ownLoopbackAddress();
    for (let i = 0; i <= replicaCount; i += 1)
      nodes.push(`${options.hosts?.[i] ?? own}:${shared ?? (await freePort())}`);
    for (let i = 0; i < sentinelCount; i += 1) sentinels.push(`${own}:${await freePort()}`);
    const [masterHost = '', masterPort = ''] = (nodes[0] ?? '').split(':');
    nodes.forEach((address, i) => {
      const nodeDir = join(dir, `node-${i}`);
      mkdirSync(nodeDir);
      const file = join(nodeDir, 'redis.conf');
      writeFileSync(
        file,
        [
          `port ${address.split(':')[1]}`,
          `bind ${address.split(':')[0]}`,
          // Off 127.0.0.1 the master would see a replica's connection come from 127.0.0.1.
          `replica-announce-ip ${address.split(':')[0]}`,
          `dir ${nodeDir}`,
          'appendonly no',
          'save ""',
          'daemonize no',
          ...(i === 0 ? [] : [`replicaof ${masterHost} ${masterPort}`]),
          '',
        ].join('\n'),
      );
      configs.set(address, { file, sentinel: false });
    });
    sentinels.forEach((address, i) => {
      const sentinelDir = join(dir, `sentinel-${i}`);
      mkdirSync(sentinelDir);
      const file = join(sentinelDir, 'sentinel.conf');
      // Sentinel rewrites its config as it learns: each needs its own, writable.
      writeFileSync(
        file,
        [
          `port ${address.split(':')[1]}`,
          `bind ${address.split(':')[0]}`,
          `sentinel announce-ip ${address.split(':')[0]}`,
          `dir ${sentinelDir}`,
          'daemonize no',
          `sentinel monitor ${SENTINEL_MASTER_NAME} ${masterHost} ${masterPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 2000`,
          `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 10000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      configs.set(address, { file, sentinel: true });
    });
    for (const address of [...nodes, ...sentinels]) launch(address);
    for (const address of [...nodes, ...sentinels])
      await waitFor(async () => (await cli(address, 'PING')).includes('PONG'));
    // Every replica synced, and every sentinel knowing every replica and the other sentinels.
    for (const address of nodes.slice(1))
      await waitFor(async () =>
        (await cli(address, 'INFO', 'replication')).includes('master_link_status:up'),
      );
    for (const address of sentinels)
      await waitFor(async () => {
        const master = await cli(address, 'SENTINEL', 'MASTER', SENTINEL_MASTER_NAME);
        const lines = master.split('\n');
        const field = (name: string) => Number(lines[lines.indexOf(name) + 1]);
        return (
          field('num-slaves') === replicaCount && field('num-other-sentinels') === sentinelCount - 1
        );
      });
  } catch (error) {
    await stop();
    throw error;
  }
  const master = async (): Promise<string> => {
    for (const sentinel of sentinels) {
      try {
        const reply = await cli(
          sentinel,
          'SENTINEL',
          'GET-MASTER-ADDR-BY-NAME',
          SENTINEL_MASTER_NAME,
        );
        const [host, port] = reply.trim().split('\n');
        if (host !== undefined && port !== undefined) return `${host}:${port}`;
      } catch {
        // the next sentinel
      }
    }
    throw new Error('no sentinel answered');
  };
  const startNode = async (address: string): Promise<void> => {
    launch(address);
    await waitFor(async () => (await cli(address, 'PING')).includes('PONG'));
  };
  const restart = async (address: string): Promise<void> => {
    await stopNode(address);
    await startNode(address);
  };
  return {
    dir,
    nodes,
    sentinels,
    masterName: SENTINEL_MASTER_NAME,
    cli,
    master,
    stopNode,
    startNode,
    restart,
    stop,
  };
}

async function waitFor(test: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await test()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('Redis Sentinel did not get ready in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
