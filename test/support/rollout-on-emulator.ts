/**
 * A 3-node rollout against the emulator, driven through the real `drainctl` binary: an existing
 * balancer with web-1 … web-3 behind a TCP listener, a workflow with short timings, and helpers
 * to run, resume and read the end state (weights, kernels, the journal).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, vi } from 'vitest';
import { type Emulator, type StartEmulatorOptions, startEmulator } from '#mocks/index.js';
import { listRuns } from '#src/engine/lifecycle/run-dir.js';
import { setUpBalancerByHand } from './balancer-by-hand.js';
import { binPath, type CliRun, runDrainctl } from './cli-runner.js';

export const NODES = ['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-3'] as const;

export interface RunEnv {
  emu: Emulator;
  home: string;
  dir: string;
  workflow: string;
  loadBalancerId: string;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export function workflowText(options: {
  drainProbe: 'none' | 'access-log';
  waitSeconds?: number;
  healthTimeoutSeconds?: number;
  /** Default `yum update kernel -y` alone. */
  patchCommands?: string[];
  drainTimeoutSeconds?: number;
  /** The patch's `rollback`, as YAML flow text (`{ kind: kernel }`). */
  rollback?: string;
  /** `rollout.canary`, as YAML flow text (`{ bakeMinutes: 0.05 }`). */
  canary?: string;
  /** The access-log probe's `format`, as YAML text. Default `combined`. */
  logFormat?: string;
}): string {
  // With a real probe, health is an HTTP check straight to the server; otherwise the
  // balancer's view, which keeps each run short.
  const health =
    options.drainProbe === 'none'
      ? '  checks: [{ type: load-balancer }]\n'
      : '  checks: [{ type: http, port: 8080, path: /healthz }]\n';
  const probe =
    options.drainProbe === 'none'
      ? `  probe: { kind: none, waitSeconds: ${options.waitSeconds ?? 0} }`
      : `  probe:\n    kind: access-log\n    source: local\n    path: \${EMU_STATE}/instances/{instanceId}/access.log\n    format: ${options.logFormat ?? 'combined'}`;
  return `name: crash-three
region: cn-hangzhou
loadBalancer:
  id: \${LOAD_BALANCER_ID}
backends:
  instances: [${NODES.join(', ')}]
rollout:
  maxUnavailable: 1
  minHealthy: 1
  stopOnFailure: true
${options.canary === undefined ? '' : `  canary: ${options.canary}\n`}drain:
${probe}
  quietSeconds: 1
  timeoutSeconds: ${options.drainTimeoutSeconds ?? Math.max(20, (options.waitSeconds ?? 0) + 10)}
  onTimeout: halt
patch:
  commands: [${(options.patchCommands ?? ['yum update kernel -y']).map((c) => `'${c}'`).join(', ')}]
  reboot: true
  rebootTimeoutSeconds: 30
  verify: { command: uname -r, expect: changed }
${options.rollback === undefined ? '' : `  rollback: ${options.rollback}\n`}health:
${health}  consecutiveSuccesses: 1
  intervalSeconds: 1
  timeoutSeconds: ${options.healthTimeoutSeconds ?? 30}
restore:
  rampPercent: [50, 100]
  holdSeconds: 0
  max5xxRate: 0.01
  minRequests: 20
`;
}

/** An emulator with a balancer in front of web-1 … web-3 (weight 100 each), listener running. */
export async function startRunEnv(
  options: {
    emulator?: StartEmulatorOptions;
    drainProbe?: 'none' | 'access-log';
    /** With `probe: none`: how long each drain waits. */
    waitSeconds?: number;
    healthTimeoutSeconds?: number;
    patchCommands?: string[];
    drainTimeoutSeconds?: number;
    rollback?: string;
    canary?: string;
    logFormat?: string;
  } = {},
): Promise<RunEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'drainctl-engine-'));
  const emu = await startEmulator({
    port: 0,
    stateDir: join(dir, 'emulator'),
    timings: {
      stoppingSeconds: 0.1,
      bootSeconds: 0.3,
      appStartSeconds: 0.1,
      packageUpdateSeconds: 0.1,
      healthCheckScale: 0.25, // a 0.5 s health-check timeout: robust on a loaded box
    },
    ...options.emulator,
  });
  const loadBalancerId = await createBalancer(emu);
  const workflow = join(dir, 'crash-three.yaml');
  await writeFile(
    workflow,
    workflowText({
      drainProbe: options.drainProbe ?? 'none',
      waitSeconds: options.waitSeconds ?? 0,
      ...(options.healthTimeoutSeconds === undefined
        ? {}
        : { healthTimeoutSeconds: options.healthTimeoutSeconds }),
      ...(options.patchCommands === undefined ? {} : { patchCommands: options.patchCommands }),
      ...(options.drainTimeoutSeconds === undefined
        ? {}
        : { drainTimeoutSeconds: options.drainTimeoutSeconds }),
      ...(options.rollback === undefined ? {} : { rollback: options.rollback }),
      ...(options.canary === undefined ? {} : { canary: options.canary }),
      ...(options.logFormat === undefined ? {} : { logFormat: options.logFormat }),
    }),
  );
  const home = join(dir, 'home');
  return {
    emu,
    dir,
    home,
    workflow,
    loadBalancerId,
    env: {
      DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
      ALIBABA_CLOUD_REGION_ID: emu.region,
      DRAINCTL_HOME: home,
      LOAD_BALANCER_ID: loadBalancerId,
      EMU_STATE: emu.stateDir,
      DRAINCTL_LOG_LEVEL: 'warn',
    },
    async close() {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What an operator would set up by hand: the balancer, its listener, the three servers. */
export async function createBalancer(emu: Emulator): Promise<string> {
  const { id } = await setUpBalancerByHand(emu, {
    clientToken: `setup-${Date.now()}`,
    healthCheck: {
      enabled: true,
      type: 'tcp',
      intervalSeconds: 2,
      timeoutSeconds: 2,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    },
    backends: NODES.map((serverId) => ({ serverId, weight: 100 })),
  });
  return id;
}

/** Start the real binary and keep hold of the process (to signal it). */
export function spawnDrainctl(
  env: RunEnv,
  args: string[],
): {
  child: ChildProcess;
  done: Promise<CliRun>;
} {
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd: env.dir,
    env: { ...process.env, NO_COLOR: '1', ...env.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/**
 * Poll the latest run's journal until an entry matches. Fails at once when `process` has exited
 * without writing it, rather than waiting out the timeout.
 */
export async function waitForEntry(
  env: RunEnv,
  match: (e: { seq: number; type: string; [k: string]: unknown }) => boolean,
  process?: Promise<CliRun>,
  timeoutMs = 60_000,
): Promise<{ runId: string; seq: number }> {
  let exited: CliRun | undefined;
  process?.then((run) => {
    exited = run;
  });
  return vi.waitUntil(
    async () => {
      // Whether it exited is read before the journal: an entry written just before the exit counts.
      const gone = exited;
      const runId = (await listRuns(env.home)).at(-1);
      const hit =
        runId === undefined ? undefined : (await journal(env, runId).catch(() => [])).find(match);
      if (runId !== undefined && hit !== undefined) return { runId, seq: hit.seq };
      if (gone !== undefined) {
        throw new Error(`drainctl exited (${gone.code}) before the awaited entry: ${gone.stderr}`);
      }
      return undefined;
    },
    { timeout: timeoutMs, interval: 100 },
  );
}

export function drainctl(
  env: RunEnv,
  args: string[],
  extra: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  return runDrainctl(args, { env: { ...env.env, ...extra }, cwd: env.dir, timeoutMs: 90_000 });
}

export interface EndState {
  weights: Record<string, number>;
  kernels: Record<string, string>;
  statuses: Record<string, string>;
}

export function endState(env: RunEnv): EndState {
  const state = env.emu.state();
  const lb = state.loadBalancers.find((l) => l.id === env.loadBalancerId);
  const ours = state.instances.filter((i) => (NODES as readonly string[]).includes(i.id));
  return {
    weights: Object.fromEntries((lb?.backends ?? []).map((b) => [b.serverId, b.weight])),
    kernels: Object.fromEntries(ours.map((i) => [i.id, i.kernel])),
    statuses: Object.fromEntries(ours.map((i) => [i.id, i.status])),
  };
}

export async function latestRunId(env: RunEnv): Promise<string> {
  const runs = await listRuns(env.home);
  const id = runs.at(-1);
  if (id === undefined) throw new Error('no run in DRAINCTL_HOME');
  return id;
}

export async function journal(
  env: RunEnv,
  runId: string,
): Promise<Array<{ seq: number; type: string; [k: string]: unknown }>> {
  const text = await readFile(join(env.home, 'runs', runId, 'journal.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

/**
 * `startRunEnv` for a test file whose tests each build their own environment: whatever a test
 * started is closed after it, pass or fail.
 */
export function runEnvPerTest(): (options?: Parameters<typeof startRunEnv>[0]) => Promise<RunEnv> {
  let current: RunEnv | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options) => {
    current = await startRunEnv(options);
    return current;
  };
}

/** Matches the journal's result entry of `node.drain-<instanceId>`: that drain is confirmed. */
export function drainConfirmed(instanceId: string) {
  return (e: { type: string; [k: string]: unknown }): boolean =>
    e.type === 'result' && String(e.step).includes(`node.drain-${instanceId}`);
}

/**
 * A run of `env.workflow` in a home of its own, killed (SIGKILL) as soon as its first Redis
 * failover intent is journaled, then resumed: the intent's seq, the run and how `resume` ended.
 */
export async function killMidFailoverThenResume(
  env: RunEnv,
): Promise<{ seq: number; runId: string; resumed: CliRun }> {
  // A home of its own: the journal waited on is this run's, not an earlier test's.
  env.home = join(env.dir, 'home-crash');
  env.env.DRAINCTL_HOME = env.home;
  const run = spawnDrainctl(env, ['run', env.workflow, '--yes']);
  const { seq } = await waitForEntry(
    env,
    (e) => e.type === 'intent' && e.op === 'redis-failover',
    run.done,
    300_000,
  );
  run.child.kill('SIGKILL');
  await run.done;
  const runId = await latestRunId(env);
  const resumed = await drainctl(env, ['resume', runId, '--yes']);
  return { seq, runId, resumed };
}

/**
 * What the journal of a run killed at its failover intent (`seq`) and resumed says: whether the
 * kill landed before that failover's result was journaled, and the failover step's entries after
 * the resume (the attempt cut short, judged again), with the intent they follow.
 */
export async function resumedFailover(env: RunEnv, runId: string, seq: number) {
  const entries = await journal(env, runId);
  const intent = entries.find((e) => e.seq === seq);
  const resumedAt = entries.find((e) => e.type === 'resume')?.seq ?? Number.POSITIVE_INFINITY;
  const cutShort = !entries.some(
    (e) => e.type === 'result' && e.opId === intent?.opId && e.seq < resumedAt,
  );
  const judged = entries.filter(
    (e) => e.seq > resumedAt && e.type === 'step' && e.step === intent?.step,
  );
  return { intent, cutShort, judged };
}
