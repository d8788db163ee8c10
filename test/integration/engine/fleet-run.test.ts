/**
 * `drainctl run` of a fleet workflow against the emulator: web-1 sits behind two balancers
 * (edge and core, default server groups) and in core's vServer group `api`; it is drained from
 * all three at once and restored to each one's own weight. Killed between two attachments'
 * weight changes, `resume` reaches the same end state. A drain that fails before the host is
 * touched puts every attachment back to its recorded weight, and `resume --retry` takes the
 * server through again. A minHealthy breach on one vServer group
 * alone blocks the server that would leave it.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '#mocks/index.js';
import { emulatorPorts, setUpBalancerByHand } from '#support/balancer-by-hand.js';
import { runDrainctl } from '#support/cli-runner.js';
import { OpenApiClientClass, sdkConfig, slbCaller } from '#support/emulator-sdk.js';
import { journal, latestRunId, type RunEnv } from '#support/rollout-on-emulator.js';

const WEB1 = 'i-emu-web-1';
const WEB2 = 'i-emu-web-2';
const HEALTH = {
  enabled: true,
  type: 'tcp' as const,
  intervalSeconds: 2,
  timeoutSeconds: 2,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};

interface FleetEnv extends RunEnv {
  edge: string;
  core: string;
  api: string;
  solo?: string;
}

const envs: FleetEnv[] = [];
afterEach(async () => {
  for (const env of envs.splice(0)) await env.close();
});

/** edge: web-1 80, web-2 100; core: web-1 50, web-2 100; core's `api`: web-1:8080 30, web-2:8080 100. */
async function fleetEnv(
  options: { soloGroup?: boolean; drainProbe?: string } = {},
): Promise<FleetEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'drainctl-fleet-run-'));
  const emu = await startEmulator({
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
  const edge = await setUpBalancerByHand(emu, {
    clientToken: 'edge',
    healthCheck: HEALTH,
    backends: [
      { serverId: WEB1, weight: 80 },
      { serverId: WEB2, weight: 100 },
    ],
  });
  const core = await setUpBalancerByHand(emu, {
    clientToken: 'core',
    healthCheck: HEALTH,
    backends: [
      { serverId: WEB1, weight: 50 },
      { serverId: WEB2, weight: 100 },
    ],
  });
  const slb = slbCaller(new OpenApiClientClass(sdkConfig(emu)), emu.region);
  const group = async (name: string, members: Array<[string, number]>) =>
    String(
      (
        await slb('CreateVServerGroup', {
          LoadBalancerId: core.id,
          VServerGroupName: name,
          BackendServers: JSON.stringify(
            members.map(([ServerId, Weight]) => ({ ServerId, Port: 8080, Weight })),
          ),
        })
      ).VServerGroupId,
    );
  const api = await group('api', [
    [WEB1, 30],
    [WEB2, 100],
  ]);
  // web-2 alone: taking it out would leave the group with nobody.
  const solo = options.soloGroup ? await group('solo', [[WEB2, 100]]) : undefined;
  const workflow = join(dir, 'night.yaml');
  await writeFile(
    workflow,
    `name: night
region: cn-hangzhou
backends:
  instances: [${WEB1}, ${WEB2}]
rollout:
  maxUnavailable: 1
  minHealthy: 1
drain:
  probe: ${options.drainProbe ?? '{ kind: none, waitSeconds: 0 }'}
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
  rampPercent: [50, 100]
  holdSeconds: 0
`,
  );
  const home = join(dir, 'home');
  const env: FleetEnv = {
    emu,
    dir,
    home,
    workflow,
    loadBalancerId: core.id,
    edge: edge.id,
    core: core.id,
    api,
    ...(solo === undefined ? {} : { solo }),
    env: {
      DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
      ALIBABA_CLOUD_REGION_ID: emu.region,
      DRAINCTL_HOME: home,
      DRAINCTL_LOG_LEVEL: 'warn',
    },
    async close() {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  envs.push(env);
  return env;
}

/** Every weight of both servers, attachment by attachment. */
async function weights(env: FleetEnv): Promise<Record<string, number | undefined>> {
  const { loadBalancer, attachments } = emulatorPorts(env.emu);
  const found: Record<string, number | undefined> = {};
  for (const [name, id] of [
    ['edge', env.edge],
    ['core', env.core],
  ] as const) {
    for (const b of await loadBalancer.listBackends(id)) found[`${name} ${b.serverId}`] = b.weight;
  }
  for (const g of await attachments.vServerGroups(env.core)) {
    for (const m of g.members) found[`${g.name} ${m.serverId}:${m.port}`] = m.weight;
  }
  return found;
}

/** The weight each balancer keeps for a server while a run has it out (`drainctl-weight-<id>`). */
async function savedTags(env: FleetEnv): Promise<Record<string, string | undefined>> {
  const { loadBalancer } = emulatorPorts(env.emu);
  const found: Record<string, string | undefined> = {};
  for (const [name, id] of [
    ['edge', env.edge],
    ['core', env.core],
  ] as const) {
    const tags = await loadBalancer.getTags(id);
    for (const [key, value] of Object.entries(tags)) {
      if (key.startsWith('drainctl-weight-')) found[`${name} ${key}`] = value.split(';')[0];
    }
  }
  return found;
}

const BEFORE = {
  [`edge ${WEB1}`]: 80,
  [`edge ${WEB2}`]: 100,
  [`core ${WEB1}`]: 50,
  [`core ${WEB2}`]: 100,
  [`api ${WEB1}:8080`]: 30,
  [`api ${WEB2}:8080`]: 100,
};

function drainctl(env: FleetEnv, args: string[], extra: NodeJS.ProcessEnv = {}) {
  return runDrainctl(args, { env: { ...env.env, ...extra }, cwd: env.dir, timeoutMs: 120_000 });
}

type Entry = Awaited<ReturnType<typeof journal>>[number];

/** web-1's drain: its intents and results in journal order. */
function web1Drain(entries: readonly Entry[]) {
  return entries.filter(
    (e) =>
      (e.type === 'intent' || e.type === 'result') &&
      String(e.step).includes('node.drain') &&
      e.node === WEB1 &&
      !String(e.opId).includes('#'),
  );
}

describe('drainctl run of a fleet workflow', () => {
  it('drains a server from two balancers and a vServer group at once and restores each weight', async () => {
    const env = await fleetEnv();
    expect(await weights(env)).toEqual(BEFORE);
    const run = await drainctl(env, ['run', env.workflow, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Load balancers:');
    expect(await weights(env)).toEqual(BEFORE);
    expect(await savedTags(env)).toEqual({});

    const entries = await journal(env, await latestRunId(env));
    const drain = web1Drain(entries);
    // Three intents, each with its live weight, all before the first call's result.
    expect(drain.map((e) => e.type)).toEqual([
      'intent',
      'intent',
      'intent',
      'result',
      'result',
      'result',
    ]);
    const intents = drain.filter((e) => e.type === 'intent');
    expect(intents.every((e) => (e.to as { weight: number }).weight === 0)).toBe(true);
    expect(
      intents.map((e) => `${JSON.stringify(e.target)} ${JSON.stringify(e.before)}`).sort(),
    ).toEqual(
      [
        `{"attachment":true,"loadBalancerId":"${env.core}","serverId":"${WEB1}"} {"weight":50}`,
        `{"attachment":true,"loadBalancerId":"${env.core}","serverId":"${WEB1}","vServerGroupId":"${env.api}","port":8080} {"weight":30}`,
        `{"attachment":true,"loadBalancerId":"${env.edge}","serverId":"${WEB1}"} {"weight":80}`,
      ].sort(),
    );
    // Both servers were patched.
    const done = entries.filter((e) => e.type === 'step' && e.action === 'node.verify');
    expect(done.map((e) => e.status)).toEqual(['ok', 'ok']);
    const runId = await latestRunId(env);
    const status = await drainctl(env, ['status', runId]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('web-1');
    // Every balancer of the run, and each attachment of each server with its weights.
    const [first, second] = [env.core, env.edge].sort();
    expect(status.stdout).toContain(`on 2 balancer(s): web-slb (${first}), web-slb (${second})`);
    expect(status.stdout).toContain(`web-slb (${env.edge}), default server group: weight 80 → 80`);
    expect(status.stdout).toContain(`web-slb (${env.core}), default server group: weight 50 → 50`);
    expect(status.stdout).toMatch(
      new RegExp(
        `web-slb \\(${env.core}\\), vServer group api \\(${env.api}\\) port 8080: weight 30 → 30`,
      ),
    );
    const statusJson = JSON.parse((await drainctl(env, ['status', runId, '--json'])).stdout);
    expect(statusJson.report.loadBalancers.map((lb: { id: string }) => lb.id)).toEqual([
      first,
      second,
    ]);
    const report = await drainctl(env, ['report', runId, '--json']);
    expect(report.code, report.stderr).toBe(0);
    const timeline = JSON.parse(report.stdout);
    expect(timeline.loadBalancers.map((lb: { id: string }) => lb.id)).toEqual([first, second]);
    const web1 = timeline.servers.find((row: { id: string }) => row.id === WEB1);
    expect(
      web1.attachments.map((a: { loadBalancerId: string; weight: number }) => [
        a.loadBalancerId,
        a.weight,
      ]),
    ).toEqual(
      expect.arrayContaining([
        [env.edge, 80],
        [env.core, 50],
        [env.core, 30],
      ]),
    );
    expect(web1.attachments).toHaveLength(3);
    const html = join(env.dir, 'report.html');
    expect((await drainctl(env, ['report', runId, '--html', html])).code).toBe(0);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('load balancers (2)');
    expect(page).toContain(`web-slb (${env.edge})`);
    expect(page).toContain(`web-slb (${env.core})`);
  }, 180_000);

  it('killed between two attachments’ weight changes, resume reaches the same end state', async () => {
    const env = await fleetEnv();
    // The uninterrupted run's journal says where web-1's first group result is written.
    const reference = await fleetEnv();
    const full = await drainctl(reference, ['run', reference.workflow, '--yes']);
    expect(full.code, full.stderr).toBe(0);
    const firstResult = web1Drain(await journal(reference, await latestRunId(reference))).find(
      (e) => e.type === 'result',
    );
    const crashed = await drainctl(env, ['run', env.workflow, '--yes'], {
      DRAINCTL_TEST_CRASH_AT_SEQ: String(firstResult?.seq),
    });
    expect(crashed.signal).toBe('SIGKILL');
    const runId = await latestRunId(env);
    // One group changed, the other two intents open: the server is half drained.
    const halfway = web1Drain(await journal(env, runId));
    expect(halfway.map((e) => e.type)).toEqual(['intent', 'intent', 'intent', 'result']);
    expect(Object.values(await weights(env)).filter((w) => w === 0)).toHaveLength(1);
    // Each balancer keeps the weight of its default group for web-1 while it is out.
    expect(await savedTags(env)).toEqual({
      [`edge drainctl-weight-${WEB1}`]: '80',
      [`core drainctl-weight-${WEB1}`]: '50',
    });

    const resumed = await drainctl(env, ['resume', runId, '--yes']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // Its workflow reads back as the run's (for its notify block): nothing to warn about.
    expect(resumed.stderr).not.toContain('not readable as the run');
    expect(await weights(env)).toEqual(BEFORE);
    expect(await savedTags(env)).toEqual({});
    const entries = await journal(env, runId);
    const reconciled = entries.filter((e) => e.type === 'result' && e.reconciled === true);
    expect(reconciled.map((e) => e.applied)).toEqual([false, false]);
  }, 240_000);

  it('puts every attachment back to its recorded weight when the drain fails before the host is touched', async () => {
    const env = await fleetEnv({
      drainProbe: `{ kind: access-log, source: local, path: '${'$'}{EMU_STATE}/nowhere/{instanceId}.log' }`,
    });
    const run = await drainctl(env, ['run', env.workflow, '--yes'], {
      EMU_STATE: env.emu.stateDir,
    });
    expect(run.code, run.stderr).toBe(2);
    expect(await weights(env)).toEqual(BEFORE);
    expect(await savedTags(env)).toEqual({});
    const entries = await journal(env, await latestRunId(env));
    const undone = entries.filter(
      (e) => e.type === 'intent' && e.node === WEB1 && e.compensates !== undefined,
    );
    expect(undone.map((e) => [e.target, e.to])).toEqual(
      expect.arrayContaining([
        [{ attachment: true, loadBalancerId: env.core, serverId: WEB1 }, { weight: 50 }],
        [
          {
            attachment: true,
            loadBalancerId: env.core,
            serverId: WEB1,
            vServerGroupId: env.api,
            port: 8080,
          },
          { weight: 30 },
        ],
        [{ attachment: true, loadBalancerId: env.edge, serverId: WEB1 }, { weight: 80 }],
      ]),
    );
    expect(undone).toHaveLength(3);
    // Its host was never touched, and web-2 never left.
    expect(entries.some((e) => e.type === 'intent' && e.op === 'run-command')).toBe(false);
    expect(entries.some((e) => e.type === 'intent' && e.node === WEB2)).toBe(false);

    // The logs appear (the operator fixed it): `resume --retry` drains web-1 everywhere again.
    const logs = join(env.emu.stateDir, 'nowhere');
    await mkdir(logs, { recursive: true });
    for (const id of [WEB1, WEB2]) await writeFile(join(logs, `${id}.log`), '');
    const runId = await latestRunId(env);
    const retried = await drainctl(env, ['resume', runId, '--retry', WEB1, '--yes'], {
      EMU_STATE: env.emu.stateDir,
    });
    expect(retried.code, retried.stderr).toBe(0);
    expect(await weights(env)).toEqual(BEFORE);
    const after = await journal(env, runId);
    const verified = after.filter((e) => e.type === 'step' && e.action === 'node.verify');
    expect(verified.map((e) => [e.node, e.status])).toEqual([
      [WEB1, 'ok'],
      [WEB2, 'ok'],
    ]);
  }, 120_000);

  it('blocks a server whose leaving would breach minHealthy on one vServer group alone', async () => {
    const env = await fleetEnv({ soloGroup: true });
    const run = await drainctl(env, ['run', env.workflow, '--yes']);
    expect(run.code, run.stderr).toBe(2);
    const entries = await journal(env, await latestRunId(env));
    const gate = entries.filter((e) => e.type === 'gate' && e.node === WEB2).at(-1);
    expect(gate?.passed).toBe(false);
    expect(String(gate?.summary)).toContain('vServer group solo');
    expect(String(gate?.summary)).toContain(`0 healthy weighted server(s) would remain`);
    // web-1 went through; web-2 was never touched anywhere.
    expect(await weights(env)).toEqual({ ...BEFORE, [`solo ${WEB2}:8080`]: 100 });
    expect(entries.some((e) => e.type === 'intent' && e.node === WEB2)).toBe(false);
  }, 240_000);
});
