/**
 * The world of a stateful rolling-restart test: an emulator whose servers' private IPs are
 * loopback addresses, the Redis nodes a test starts listening on those, a balancer set up by hand
 * in front of them, and one loopback SSH server per server whose `restart-redis` command restarts
 * that server's node (anything else runs as a local command). Every restart is counted.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { setUpBalancerByHand } from './balancer-by-hand.js';
import { generateKeys, startSshServer, type TestKeys, type TestSshServer } from './ssh-server.js';

export interface RedisBehindBalancer<R> {
  emu: Emulator;
  redis: R;
  loadBalancerId: string;
  keys: TestKeys;
  /** The SSH client key, written in `dir`. */
  key: string;
  /** One per server, in the order of `ids`. */
  sshServers: TestSshServer[];
  /** Restarts by node address. */
  restarts: Map<string, number>;
}

export async function startRedisBehindBalancer<
  R extends { restart(address: string): Promise<void> },
>(
  dir: string,
  ids: readonly string[],
  startRedis: (ips: string[]) => Promise<R>,
  addressesOf: (redis: R) => readonly string[],
): Promise<RedisBehindBalancer<R>> {
  const emu = await startEmulator({
    port: 0,
    stateDir: join(dir, 'emulator'),
    topology: {
      region: 'cn-hangzhou',
      appPort: 8080,
      instances: ids.map((id, i) => ({
        id,
        name: `redis-${i + 1}`,
        hostname: `redis-${i + 1}`,
        tags: { app: 'redis' },
      })),
    },
  });
  const ips = ids.map((id) => {
    const found = emu.state().instances.find((i) => i.id === id)?.privateIp;
    if (found === undefined) throw new Error(`no private IP for ${id}`);
    return found;
  });
  const redis = await startRedis(ips);
  const { id: loadBalancerId } = await setUpBalancerByHand(emu, {
    clientToken: `redis-${Date.now()}`,
    healthCheck: {
      enabled: true,
      type: 'tcp',
      intervalSeconds: 2,
      timeoutSeconds: 2,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    },
    backends: ids.map((serverId) => ({ serverId, weight: 100 })),
  });
  const keys = generateKeys();
  const key = join(dir, 'id_ed25519');
  await writeFile(key, keys.clientPrivate, { mode: 0o600 });
  const restarts = new Map<string, number>();
  const sshServers: TestSshServer[] = [];
  for (const address of addressesOf(redis)) {
    sshServers.push(
      await startSshServer(keys, (command, channel) => {
        // The SSH host wraps the command (a shell, a marker); the word is enough.
        if (!command.includes('restart-redis')) return false;
        redis.restart(address).then(
          () => {
            restarts.set(address, (restarts.get(address) ?? 0) + 1);
            channel.exit(0);
            channel.end();
          },
          (error: unknown) => {
            channel.stderr.write(String(error));
            channel.exit(1);
            channel.end();
          },
        );
        return true;
      }),
    );
  }
  return { emu, redis, loadBalancerId, keys, key, sshServers, restarts };
}
