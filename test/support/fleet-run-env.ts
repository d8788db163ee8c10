/**
 * The world of the fleet-run tests against the emulator: web-1 sits behind two balancers (edge
 * and core, default server groups) and in core's vServer group `api`, web-2 beside it; a
 * workflow patching both; helpers to read every weight and the weights saved on the balancers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startEmulator } from '#mocks/index.js';
import { emulatorPorts, setUpBalancerByHand } from './balancer-by-hand.js';
import { runDrainctl } from './cli-runner.js';
import { OpenApiClientClass, sdkConfig, slbCaller } from './emulator-sdk.js';
import type { journal, RunEnv } from './rollout-on-emulator.js';

export const WEB1 = 'i-emu-web-1';
export const WEB2 = 'i-emu-web-2';
const HEALTH = {
  enabled: true,
  type: 'tcp' as const,
  intervalSeconds: 2,
  timeoutSeconds: 2,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};

export interface FleetEnv extends RunEnv {
  edge: string;
  core: string;
  api: string;
  solo?: string;
}

export interface FleetEnvOptions {
  soloGroup?: boolean;
  drainProbe?: string;
  gatePatienceSeconds?: number;
}

/**
 * Starts the world of a test (see `fleetEnv`) and stops every one it started after each test.
 * Call inside `describe`.
 */
export function fleetEnvPerTest(): (options?: FleetEnvOptions) => Promise<FleetEnv> {
  const envs: FleetEnv[] = [];
  afterEach(async () => {
    for (const env of envs.splice(0)) await env.close();
  });
  return async (options) => {
    const env = await fleetEnv(options);
    envs.push(env);
    return env;
  };
}

/** edge: web-1 80, web-2 100; core: web-1 50, web-2 100; core's `api`: web-1:8080 30, web-2:8080 100. */
async function fleetEnv(options: FleetEnvOptions = {}): Promise<FleetEnv> {
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
  minHealthy: 1${options.gatePatienceSeconds === undefined ? '' : `\n  gatePatienceSeconds: ${options.gatePatienceSeconds}`}
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
  return env;
}

/** Every weight of both servers, attachment by attachment. */
export async function weights(env: FleetEnv): Promise<Record<string, number | undefined>> {
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
export async function savedTags(env: FleetEnv): Promise<Record<string, string | undefined>> {
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

export const BEFORE = {
  [`edge ${WEB1}`]: 80,
  [`edge ${WEB2}`]: 100,
  [`core ${WEB1}`]: 50,
  [`core ${WEB2}`]: 100,
  [`api ${WEB1}:8080`]: 30,
  [`api ${WEB2}:8080`]: 100,
};

export function drainctl(env: FleetEnv, args: string[], extra: NodeJS.ProcessEnv = {}) {
  return runDrainctl(args, { env: { ...env.env, ...extra }, cwd: env.dir, timeoutMs: 120_000 });
}

type Entry = Awaited<ReturnType<typeof journal>>[number];

/** web-1's drain: its intents and results in journal order. */
export function web1Drain(entries: readonly Entry[]) {
  return entries.filter(
    (e) =>
      (e.type === 'intent' || e.type === 'result') &&
      String(e.step).includes('node.drain') &&
      e.node === WEB1 &&
      !String(e.opId).includes('#'),
  );
}
