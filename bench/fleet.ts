/**
 * Benchmark of a fleet night: one `drainctl run` of a fleet workflow over 1,000 backends on 100
 * balancers, against an emulator that enforces the documented per-action API quotas. Not a test:
 * it prints figures for docs/benchmarks.md.
 *
 *   npm run bench:fleet                                   # 1,000 backends on 100 balancers
 *   npm run bench:fleet -- --backends 100 --balancers 10  # a smaller night
 *   npm run bench:fleet -- --sources                      # drainctl from src/ through tsx
 *   npm run bench:fleet -- --plan-only                    # the plan alone, no night
 *
 * The emulator runs in this process with a generated fleet (`fleet:` of a topology: every server
 * in 1 to 3 attachments — a balancer's default server group or its vServer group — from a seed),
 * the world's reboots shortened, and `--rate-limits documented`. drainctl runs in a child process
 * (the built bin/drainctl.js), as a user runs it: first `plan` (timed from spawn to exit), then
 * `run --yes`. Each child reports its peak RSS (`process.resourceUsage().maxRSS`) on exit through a
 * small CommonJS preload (`-r`). The emulator counts the API calls it answered, per action.
 *
 * The night's lower bound is the larger of
 * - the API bound: per limited action, the least time its calls need under "at most N in any S
 *   seconds" ((⌈calls ÷ N⌉ − 1) × S: N at once, N more each S seconds); actions have quotas of
 *   their own and go in parallel, so the bound is the largest of them, not their sum;
 * - the wait bound: what the gates force, batch after batch — ⌈servers ÷ maxUnavailable⌉ times a
 *   server's shortest sequence (quietSeconds, the package update, the reboot, the app's start,
 *   one hold per ramp step).
 * bound-ratio = lower bound ÷ the run's wall time (1 would be a night no scheduler could beat).
 *
 * No client load runs (the generated balancers have no listeners), so `failed` is not failed
 * requests: it counts the servers the night did not finish — a server still on its old kernel,
 * or not back at the weight it had on every attachment — read from the emulator afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ActionCallCount, type Emulator, startEmulator } from '#mocks/index.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { documentedRateLimits } from '#src/app/composition-root.js';
import { createLogger } from '#src/log/index.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/**
 * The built CLI, as users run it (`npm run bench:fleet` bundles dist/ first); `--sources` runs
 * src/ through tsx instead, whose compiler adds about 40 MiB to every process.
 */
const SOURCES = process.argv.includes('--sources');
const PLAN_ONLY = process.argv.includes('--plan-only');
const bin = join(repoRoot, 'bin', SOURCES ? 'drainctl-sources.js' : 'drainctl.js');

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: a positive number`);
  return value;
}

const BACKENDS = option('backends', 1000);
const BALANCERS = option('balancers', 100);
const SEED = option('seed', 16);
/** Servers out of service at once: a tenth of the fleet. */
const MAX_UNAVAILABLE = option('max-unavailable', Math.max(1, Math.floor(BACKENDS / 10)));
/**
 * The rollout order: `balancer` (servers on the same balancers in one batch, so their weight
 * changes share calls); `--order listed` runs the fleet in name order, as before.
 */
const ORDER = (() => {
  const index = process.argv.indexOf('--order');
  const value = index >= 0 ? process.argv[index + 1] : 'balancer';
  if (value !== 'balancer' && value !== 'listed') throw new Error('--order: balancer or listed');
  return value;
})();
const QUIET_SECONDS = 1;
const HOLD_SECONDS = 1;
const RAMP = [100];
/** Fast simulated reboots (seconds). */
const TIMINGS = {
  stoppingSeconds: 0.2,
  bootSeconds: 0.8,
  appStartSeconds: 0.2,
  packageUpdateSeconds: 0.2,
};

const scratch = mkdtempSync(join(tmpdir(), 'drainctl-bench-fleet-'));
const usageFile = join(scratch, 'usage.txt');
const preload = join(scratch, 'report-usage.cjs');
writeFileSync(
  preload,
  `process.on('exit', () => { const cpu = process.cpuUsage();
require('node:fs').appendFileSync(${JSON.stringify(usageFile)}, process.resourceUsage().maxRSS / 1024 + ' ' + (cpu.user + cpu.system) / 1e6 + '\\n'); });\n`,
);

const WORKFLOW = `name: fleet-bench
region: cn-hangzhou
backends:
  balancers: { tags: { fleet: generated } }
rollout:
  maxUnavailable: ${MAX_UNAVAILABLE}
  minHealthy: 0
  order: ${ORDER}
drain:
  probe:
    kind: access-log
    source: local
    path: \${EMU_STATE}/instances/{instanceId}/access.log
    format: combined
  quietSeconds: ${QUIET_SECONDS}
  timeoutSeconds: 60
  onTimeout: halt
patch:
  commands: ['yum update kernel -y']
  reboot: true
  rebootTimeoutSeconds: 120
  verify: { command: uname -r, expect: changed }
health:
  checks: [{ type: http, port: 8080, path: /healthz }]
  consecutiveSuccesses: 1
  intervalSeconds: 1
  timeoutSeconds: 60
restore:
  rampPercent: [${RAMP.join(', ')}]
  holdSeconds: ${HOLD_SECONDS}
  minRequests: 0
`;

interface ChildResult {
  code: number | null;
  wallMs: number;
  rssMiB: number;
  /** CPU seconds of the process (user + system): the figure the machine's load cannot inflate. */
  cpuSeconds: number;
  stdout: string;
  stderr: string;
}

/** `drainctl …` from the sources, as a user runs it; resolves once it exits. */
function drainctl(args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  writeFileSync(usageFile, '');
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['-r', preload, bin, ...args], {
    cwd: scratch,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const [rssMiB, cpuSeconds] = (readFileSync(usageFile, 'utf8').trim().split('\n').at(-1) ?? '')
        .split(' ')
        .map(Number);
      resolve({
        code,
        wallMs,
        rssMiB: rssMiB ?? Number.NaN,
        cpuSeconds: cpuSeconds ?? Number.NaN,
        stdout,
        stderr,
      });
    });
  });
}

/** Every attachment's weight, "lb server[:port] weight", to compare before and after. */
async function attachmentWeights(emu: Emulator): Promise<Map<string, string[]>> {
  const { loadBalancer, attachments } = createCloudPorts({
    region: emu.region,
    endpoint: emu.endpoint,
    credentials: emu.credentials,
    clock: systemClock,
    logger: createLogger({ level: 'silent' }),
  });
  const byServer = new Map<string, string[]>();
  const add = (server: string, entry: string) =>
    byServer.set(server, [...(byServer.get(server) ?? []), entry]);
  for (const { id } of emu.topology.balancers) {
    for (const b of await loadBalancer.listBackends(id)) add(b.serverId, `${id} ${b.weight}`);
    for (const group of await attachments.vServerGroups(id)) {
      for (const m of group.members) add(m.serverId, `${id}/${group.id}:${m.port} ${m.weight}`);
    }
  }
  for (const entries of byServer.values()) entries.sort();
  return byServer;
}

/** (⌈calls ÷ N⌉ − 1) × S per limited action: the least time its calls need under its quota. */
function apiBound(
  calls: Record<string, ActionCallCount>,
  limits: Record<string, { calls: number; perSeconds: number }>,
): { seconds: number; action: string } {
  let bound = { seconds: 0, action: '-' };
  for (const [action, count] of Object.entries(calls)) {
    const limit = limits[action];
    if (limit === undefined || count.ok === 0) continue;
    const seconds = (Math.ceil(count.ok / limit.calls) - 1) * limit.perSeconds;
    if (seconds > bound.seconds) bound = { seconds, action };
  }
  return bound;
}

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const limits = await documentedRateLimits();
  const emu = await startEmulator({
    port: 0,
    stateDir: join(scratch, 'emulator'),
    topology: {
      fleet: { balancers: BALANCERS, instances: BACKENDS, seed: SEED, maxAttachments: 3 },
    },
    timings: TIMINGS,
    rateLimits: limits,
  });
  try {
    const attachments = emu.topology.balancers.reduce(
      (sum, lb) =>
        sum + lb.backends.length + lb.vServerGroups.reduce((n, g) => n + g.servers.length, 0),
      0,
    );
    console.log(
      `drainctl: ${SOURCES ? 'sources through tsx' : 'built (dist/)'}; fleet: ${BACKENDS} servers, ${BALANCERS} balancers, ${attachments} attachments (seed ${SEED}), addresses ${emu.subnet}; maxUnavailable ${MAX_UNAVAILABLE}, order ${ORDER}, quietSeconds ${QUIET_SECONDS}, ramp [${RAMP.join(', ')}] holding ${HOLD_SECONDS} s`,
    );
    const workflow = join(scratch, 'fleet.yaml');
    writeFileSync(workflow, WORKFLOW);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
      ALIBABA_CLOUD_REGION_ID: emu.region,
      DRAINCTL_HOME: join(scratch, 'home'),
      DRAINCTL_LOG_LEVEL: 'warn',
      EMU_STATE: emu.stateDir,
    };
    const before = await attachmentWeights(emu);
    const kernelsBefore = new Map(emu.state().instances.map((i) => [i.id, i.kernel]));

    const startup = await drainctl(['--version'], env);
    emu.clearApiCalls();
    const plan = await drainctl(['plan', workflow, '--json'], env);
    if (plan.code !== 0) throw new Error(`plan exited ${plan.code}: ${plan.stderr.slice(-3000)}`);
    const planCalls = emu.apiCalls();
    console.log(
      `plan: ${(plan.wallMs / 1000).toFixed(2)} s from spawn to exit (start-up alone, --version: ${(startup.wallMs / 1000).toFixed(2)} s), CPU ${plan.cpuSeconds.toFixed(1)} s, peak RSS ${plan.rssMiB.toFixed(0)} MiB, ${sum(planCalls)} API calls`,
    );

    if (PLAN_ONLY) return;
    emu.clearApiCalls();
    const run = await drainctl(['run', workflow, '--yes'], env);
    const calls = emu.apiCalls();
    console.log(
      `run: exit ${run.code}, wall ${(run.wallMs / 1000).toFixed(1)} s, CPU ${run.cpuSeconds.toFixed(0)} s, peak RSS ${run.rssMiB.toFixed(0)} MiB`,
    );
    if (run.code !== 0) console.log(run.stderr.slice(-3000));

    console.log('API calls of the run, per action (ok / throttled / failed; per server; quota):');
    for (const [action, count] of Object.entries(calls)) {
      const limit = limits[action];
      console.log(
        `  ${action.padEnd(40)} ${String(count.ok).padStart(6)} / ${count.throttled} / ${count.failed}  ${(count.ok / BACKENDS).toFixed(2)}/server  ${limit ? `${limit.calls}/${limit.perSeconds}s` : 'no quota'}`,
      );
    }
    const total = sum(calls);
    const throttled = Object.values(calls).reduce((n, c) => n + c.throttled, 0);
    console.log(
      `  total ${total} calls, ${(total / BACKENDS).toFixed(1)} per server; ${throttled} throttled`,
    );

    const api = apiBound(calls, limits);
    const batches = Math.ceil(BACKENDS / MAX_UNAVAILABLE);
    const sequence =
      QUIET_SECONDS +
      TIMINGS.packageUpdateSeconds +
      TIMINGS.stoppingSeconds +
      TIMINGS.bootSeconds +
      TIMINGS.appStartSeconds +
      HOLD_SECONDS * RAMP.length;
    const wait = batches * sequence;
    const lower = Math.max(api.seconds, wait);
    const wall = run.wallMs / 1000;
    console.log(
      `lower bound: ${lower.toFixed(0)} s = max(API bound ${api.seconds.toFixed(0)} s (${api.action}), wait bound ${wait.toFixed(0)} s (${batches} batches × ${sequence.toFixed(1)} s))`,
    );

    const after = await attachmentWeights(emu);
    const kernelsAfter = new Map(emu.state().instances.map((i) => [i.id, i.kernel]));
    let failed = 0;
    for (const [server, entries] of before) {
      const patched = kernelsAfter.get(server) !== kernelsBefore.get(server);
      const restored = JSON.stringify(after.get(server)) === JSON.stringify(entries);
      if (!(patched && restored)) failed += 1;
    }
    const ratio = lower / wall;
    console.log(
      `fleet: backends=${BACKENDS} balancers=${BALANCERS} bound-ratio=${ratio.toFixed(2)} peak-rss-mb=${Math.round(run.rssMiB)} plan-s=${(plan.wallMs / 1000).toFixed(1)} failed=${failed}`,
    );
  } finally {
    await emu.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function sum(calls: Record<string, ActionCallCount>): number {
  return Object.values(calls).reduce((n, c) => n + c.ok + c.throttled + c.failed, 0);
}

await main();
