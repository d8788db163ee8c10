/**
 * `drain.releaseConnections` through the real binary against the emulator, under client load
 * through the balancer's TCP listener, with nginx's keep-alive defaults on the servers (1000
 * requests or 75 s idle per connection — a client would stay on a drained server for about 80 s):
 * the command runs once, right after the weight went to 0, and the drain ends within seconds
 * with no failed request; a command that fails is a warning and the drain waits for the
 * connections to end by themselves, still without a failed request; after a ramp pulls a node
 * back to 0, it runs again and the clients leave the failing server at once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StartEmulatorOptions } from '#mocks/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { LoadGenerator, type LoadStats } from '#src/demo/load-generator.js';
import {
  drainctl,
  journal,
  latestRunId,
  type RunEnv,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';

const WEB1 = 'i-emu-web-1';
const QUIET = 1;

/**
 * Without `rampHoldSeconds` the ramp is not watched: these clients stay on the keep-alive
 * connections they opened to the other servers during the drain, so a watched hold would see
 * too few requests and, inconclusive, halt the run — the ramp is not what those tests are about.
 */
function workflow(options: { release: string; rampHoldSeconds?: number }): string {
  return `name: release-connections
region: cn-hangzhou
loadBalancer:
  id: \${LOAD_BALANCER_ID}
backends:
  instances: [${WEB1}]
rollout:
  maxUnavailable: 1
  minHealthy: 1
drain:
  probe:
    kind: access-log
    source: local
    path: \${EMU_STATE}/instances/{instanceId}/access.log
    format: combined
  quietSeconds: ${QUIET}
  timeoutSeconds: 20
  onTimeout: halt
  releaseConnections:
    command: ${options.release}
    timeoutSeconds: 10
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
  holdSeconds: ${options.rampHoldSeconds ?? 0}
  max5xxRate: 0.01
  minRequests: 5
`;
}

function emulator(keepalive: { keepaliveRequests: number }): StartEmulatorOptions {
  return {
    timings: {
      stoppingSeconds: 0.1,
      bootSeconds: 0.3,
      appStartSeconds: 0.1,
      packageUpdateSeconds: 0.1,
      healthCheckScale: 0.25,
      keepaliveTimeoutSeconds: 75,
      ...keepalive,
    },
  };
}

/** Keep-alive clients on the balancer's address, a little over 100 requests a second. */
function clients(env: RunEnv): LoadGenerator {
  const address = env.emu.state().loadBalancers.find((l) => l.id === env.loadBalancerId)?.address;
  if (address === undefined) throw new Error('no balancer address');
  const load = new LoadGenerator({
    hostname: 'www.example.com',
    port: 8080,
    resolve: async () => ({ address, ttlSeconds: 3600 }),
    ratePerSecond: 120,
    clients: 12,
    slow: { every: 5, suffix: '?delay_ms=200' },
    clock: systemClock,
  });
  load.start();
  return load;
}

async function runUnderLoad(env: RunEnv) {
  const load = clients(env);
  let stats: LoadStats;
  let run: Awaited<ReturnType<typeof drainctl>>;
  try {
    await systemClock.sleep(1000);
    run = await drainctl(env, ['run', env.workflow, '--yes']);
    await systemClock.sleep(500);
  } finally {
    stats = await load.stop();
  }
  const entries = await journal(env, await latestRunId(env));
  return { run, stats, entries };
}

type Entry = Awaited<ReturnType<typeof journal>>[number];
const releaseIntents = (entries: Entry[]) =>
  entries.filter(
    (e) => e.type === 'intent' && e.op === 'run-command' && String(e.opId).includes('release'),
  );

describe('drain.releaseConnections', () => {
  const startEnv = runEnvPerTest();

  it("with nginx's keep-alive defaults: runs once at weight 0, drained within seconds, no failed request", async () => {
    const env = await startEnv({ emulator: emulator({ keepaliveRequests: 1000 }) });
    writeFileSync(env.workflow, workflow({ release: 'nginx -s reload' }));
    const { run, stats, entries } = await runUnderLoad(env);
    expect(run.code, run.stderr).toBe(0);

    const release = releaseIntents(entries);
    expect(release).toHaveLength(1);
    expect(release[0]).toMatchObject({
      node: WEB1,
      step: expect.stringContaining('node.release-connections'),
      to: { command: 'nginx -s reload', timeoutSeconds: 10 },
    });
    const atZero = entries.find(
      (e) =>
        e.type === 'result' &&
        e.op === 'set-weight' &&
        String(e.step).includes('node.drain') &&
        (e.after as { weight?: number }).weight === 0,
    );
    const drained = entries.find((e) => e.type === 'probe' && e.kind === 'drain');
    expect(atZero?.seq).toBeLessThan(release[0]?.seq ?? 0);
    expect(release[0]?.seq).toBeLessThan(drained?.seq ?? 0);
    expect(drained).toMatchObject({ outcome: 'drained' });
    expect(
      (drained?.data as { waitedSeconds?: number } | undefined)?.waitedSeconds,
    ).toBeLessThanOrEqual(QUIET + 2);

    expect(stats.failures).toEqual([]);
    expect(stats.ok).toBeGreaterThan(500);
  }, 90_000);

  it('that fails is a warning: the drain waits for the connections to end by themselves, no client is cut', async () => {
    // Connections end by themselves after 30 requests (about 2.5 s per client here).
    const env = await startEnv({ emulator: emulator({ keepaliveRequests: 30 }) });
    writeFileSync(env.workflow, workflow({ release: 'exit 3' }));
    const { run, stats, entries } = await runUnderLoad(env);
    expect(run.code, run.stderr).toBe(0);
    expect(releaseIntents(entries)).toHaveLength(1);
    const warning = entries.find((e) => e.type === 'note' && e.warning === true);
    expect(String(warning?.message)).toMatch(
      /^`exit 3` failed on i-emu-web-1 \(failed, exit 3.*\): its keep-alive connections were not let go and end by themselves/,
    );
    expect(run.stdout).toContain(`WARNING: ${String(warning?.message)}`);
    const drained = entries.find((e) => e.type === 'probe' && e.kind === 'drain');
    expect(drained).toMatchObject({ outcome: 'drained' });
    expect(entries.find((e) => e.type === 'done')).toMatchObject({ outcome: 'completed' });
    expect(stats.failures).toEqual([]);
  }, 90_000);

  it('runs again after a ramp pulls the node back to 0: its clients leave the failing server at once', async () => {
    const env = await startEnv({ emulator: emulator({ keepaliveRequests: 1000 }) });
    writeFileSync(env.workflow, workflow({ release: 'nginx -s reload', rampHoldSeconds: 6 }));
    env.emu.injectFault({ kind: 'app-5xx-after-reboot', instanceId: WEB1, rate: 0.5 });
    const plan = await drainctl(env, ['plan', env.workflow]);
    const undo = `set ${WEB1} (web-1) back to weight 0, then run \`nginx -s reload\` on it so the connections open to it go (node.drain)`;
    expect(plan.stdout).toContain(`undo: ${undo}`);

    const { done } = spawnDrainctl(env, ['run', env.workflow, '--yes']);
    // Clients that connect once web-1 is back at weight 100 hold keep-alive connections to it.
    await waitForEntry(
      env,
      (e) =>
        e.type === 'result' && e.op === 'set-weight' && String(e.step).includes('node.restore'),
      done,
    );
    const load = clients(env);
    const log = env.emu.state().instances.find((i) => i.id === WEB1)?.accessLog ?? '';
    const lines = () => readFileSync(log, 'utf8').split('\n').length;
    let quietAfterRun: { before: number; after: number };
    let run: Awaited<typeof done>;
    try {
      run = await done;
      // The run ended right after the release. Once the requests then in progress are answered
      // (200 ms at most), no client is on web-1 any more.
      await systemClock.sleep(500);
      const before = lines();
      await systemClock.sleep(1500);
      quietAfterRun = { before, after: lines() };
    } finally {
      await load.stop();
    }
    expect(run.code, run.stderr).toBe(2);
    const entries = await journal(env, await latestRunId(env));
    expect(entries.find((e) => e.type === 'node-state' && e.state === 'left-out')).toMatchObject({
      reason: 'unhealthy',
      outcome: 'bad-ramp',
    });
    const release = releaseIntents(entries);
    expect(release).toHaveLength(2);
    expect(release[1]).toMatchObject({
      opId: expect.stringMatching(/node\.restore-i-emu-web-1#release$/),
      compensates: { undo },
    });
    expect(quietAfterRun.after).toBe(quietAfterRun.before);
  }, 90_000);
});
