/**
 * Weight changes of servers that drain and restore together share calls per group: four servers
 * in one balancer's default server group and in its vServer group, all out at once, with the
 * client limiter at one weight call per 4 s per action so changes wait for their call. Each
 * action then takes fewer calls than its eight weight changes (four drains, four restores), and
 * every server ends at its own weight on both attachments.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { emulatorPorts, setUpBalancerByHand } from '#support/balancer-by-hand.js';
import { runDrainctl } from '#support/cli-runner.js';
import { OpenApiClientClass, sdkConfig, slbCaller } from '#support/emulator-sdk.js';

const SERVERS = [1, 2, 3, 4].map((n) => `i-emu-web-${n}`);
const DEFAULT_WEIGHTS = [10, 20, 30, 40];
const GROUP_WEIGHTS = [15, 25, 35, 45];

describe('a fleet run’s weight changes, merged per group', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0)) await close();
  });

  /** The emulator, the balancer by hand with its vServer group, and a night's workflow. */
  async function night(rollout: string) {
    const dir = await mkdtemp(join(tmpdir(), 'drainctl-fleet-commit-'));
    const emu: Emulator = await startEmulator({
      port: 0,
      stateDir: join(dir, 'emulator'),
      timings: {
        stoppingSeconds: 0.1,
        bootSeconds: 0.3,
        appStartSeconds: 0.1,
        packageUpdateSeconds: 0.1,
        healthCheckScale: 0.25,
      },
    });
    cleanup.push(async () => {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    });
    const lb = await setUpBalancerByHand(emu, {
      clientToken: 'commit',
      healthCheck: {
        enabled: true,
        type: 'tcp',
        intervalSeconds: 2,
        timeoutSeconds: 2,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
      backends: SERVERS.map((serverId, i) => ({ serverId, weight: DEFAULT_WEIGHTS[i] ?? 0 })),
    });
    const slb = slbCaller(new OpenApiClientClass(sdkConfig(emu)), emu.region);
    await slb('CreateVServerGroup', {
      LoadBalancerId: lb.id,
      VServerGroupName: 'api',
      BackendServers: JSON.stringify(
        SERVERS.map((ServerId, i) => ({ ServerId, Port: 8080, Weight: GROUP_WEIGHTS[i] })),
      ),
    });
    const workflow = join(dir, 'night.yaml');
    await writeFile(
      workflow,
      `name: night
region: cn-hangzhou
backends:
  instances: [${SERVERS.join(', ')}]
rollout:
${rollout}
drain:
  probe: { kind: none, waitSeconds: 0 }
  quietSeconds: 1
  timeoutSeconds: 5
patch:
  commands: ['yum update kernel -y']
  reboot: true
  rebootTimeoutSeconds: 30
  verify: { command: uname -r, expect: changed }
health:
  checks: [{ type: http, port: 8080, path: /healthz }]
  consecutiveSuccesses: 1
  intervalSeconds: 1
  timeoutSeconds: 30
restore:
  rampPercent: [100]
  holdSeconds: 0
`,
    );
    emu.clearApiCalls();
    const run = () =>
      runDrainctl(['run', workflow, '--yes'], {
        cwd: dir,
        timeoutMs: 150_000,
        env: {
          DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
          ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
          ALIBABA_CLOUD_REGION_ID: emu.region,
          DRAINCTL_HOME: join(dir, 'home'),
          DRAINCTL_LOG_LEVEL: 'warn',
          DRAINCTL_API_RATE_LIMITS: 'SetBackendServers=1/4,SetVServerGroupAttribute=1/4',
        },
      });
    return { emu, lb, run };
  }

  it('restores a batch of servers together in fewer calls than servers, each to its own weight', async () => {
    const { emu, lb, run } = await night(`  maxUnavailable: ${SERVERS.length}\n  minHealthy: 0`);
    const before = await weights(emu, lb.id);
    const done = await run();
    expect(done.code, done.stderr).toBe(0);
    const calls = emu.apiCalls();
    const changes = SERVERS.length * 2;
    expect(calls.SetBackendServers?.ok).toBeLessThan(changes);
    // A server's vServer-group call follows its default-group call, so those calls come out
    // paced by the default group's quota and merge only when its merged call frees several
    // servers at once: fewer calls on some runs, never more than one per change.
    expect(calls.SetVServerGroupAttribute?.ok).toBeLessThanOrEqual(changes);
    expect(calls.SetBackendServers?.failed).toBe(0);
    expect(await weights(emu, lb.id)).toEqual(before);
    expect(Object.values(before)).toEqual([...DEFAULT_WEIGHTS, ...GROUP_WEIGHTS]);
  }, 180_000);

  it('counts a drain whose call still waits as out: minHealthy holds while calls queue', async () => {
    // All four in one batch, two must keep serving: the third drain is decided while the first
    // two wait up to 4 s for their calls, when the weights read still say 10 and 20. Counted as
    // read, the gate would let all four out; counted as intended, it blocks the third and the
    // run halts with two out at most.
    const { emu, lb, run } = await night(`  maxUnavailable: ${SERVERS.length}\n  minHealthy: 2`);
    let mostOut = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const now = await weights(emu, lb.id);
        const out = SERVERS.filter((id) => now[id] === 0).length;
        mostOut = Math.max(mostOut, out);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const done = await run().finally(() => {
      watching = false;
    });
    await watch;
    expect(done.code, done.stderr).toBe(2);
    expect(done.stderr).toMatch(
      /gate blocked: 1 healthy weighted server\(s\) would remain .* at least 2 required/,
    );
    expect(mostOut).toBeGreaterThan(0);
    expect(mostOut).toBeLessThanOrEqual(2);
  }, 180_000);
});

/** Each server's weight in the default server group, then in the vServer group. */
async function weights(emu: Emulator, loadBalancerId: string): Promise<Record<string, number>> {
  const { loadBalancer, attachments } = emulatorPorts(emu);
  const found: Record<string, number> = {};
  for (const b of await loadBalancer.listBackends(loadBalancerId)) found[b.serverId] = b.weight;
  for (const g of await attachments.vServerGroups(loadBalancerId)) {
    for (const m of g.members) found[`${g.name} ${m.serverId}:${m.port}`] = m.weight;
  }
  return found;
}
