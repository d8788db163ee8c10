/**
 * Benchmark of drains against servers with nginx's keep-alive defaults (`keepalive_requests
 * 1000`, `keepalive_timeout 75s`), without and with `drain.releaseConnections: nginx -s reload`.
 * Not a test: it prints figures for docs/benchmarks.md.
 *
 *   npm run bench:drain-assist                   # 3 trials of each
 *   npm run bench:drain-assist -- --trials 1     # or BENCH_DRAIN_ASSIST_TRIALS=1
 *
 * Each trial is a fresh emulator with the demo's pace and web-1 … web-4 behind a TCP listener,
 * the demo's clients (24 keep-alive clients, 300 requests per second, one in five slow) on the
 * balancer's address, and `run` of a one-server workflow (drain web-1, patch, reboot, restore)
 * with the demo's drain settings. The drain lasts from the moment web-1's weight is 0 (the
 * drain's result in the journal) to the drain decision (its probe entry); failed requests are
 * the clients' over the whole trial. Last line:
 *
 *   drain-assist: without-s=N with-s=N failed=N
 *
 * (medians of the drain durations; failed requests summed over every trial of both kinds).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { run } from '#src/app/library.js';
import { DEMO_TIMINGS } from '#src/demo/demo-world.js';
import { LoadGenerator, type LoadStats } from '#src/demo/load-generator.js';
import { createLogger } from '#src/log/index.js';

/** nginx's own keep-alive defaults (1.19.10 and later). */
const NGINX_KEEPALIVE = { keepaliveRequests: 1000, keepaliveTimeoutSeconds: 75 };
/** The demo's drain (workflows/demo.yaml), with room for a drain that waits out nginx's limits. */
const QUIET_SECONDS = 3;
const DRAIN_TIMEOUT_SECONDS = 150;
/** Clients settle on their connections before the drain starts. */
const WARM_UP_MS = 5000;
const NODES = ['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-3', 'i-emu-web-4'];

type Mode = 'without' | 'with';

interface Trial {
  mode: Mode;
  drainSeconds: number;
  drainOutcome: string;
  runOutcome: string;
  load: LoadStats;
}

function workflow(mode: Mode): string {
  const release =
    mode === 'with'
      ? '  releaseConnections:\n    command: nginx -s reload\n    timeoutSeconds: 30\n'
      : '';
  return `name: drain-assist-bench
region: cn-hangzhou
loadBalancer:
  id: \${LOAD_BALANCER_ID}
backends:
  instances: [i-emu-web-1]
rollout:
  maxUnavailable: 1
  minHealthy: 3
drain:
  probe:
    kind: access-log
    source: local
    path: \${EMU_STATE}/instances/{instanceId}/access.log
    format: combined
  quietSeconds: ${QUIET_SECONDS}
  timeoutSeconds: ${DRAIN_TIMEOUT_SECONDS}
  onTimeout: halt
${release}patch:
  commands: [yum update kernel -y]
  reboot: true
  rebootTimeoutSeconds: 60
  verify: { command: uname -r, expect: changed }
health:
  checks: [{ type: http, port: 8080, path: /healthz }]
  consecutiveSuccesses: 2
  intervalSeconds: 1
  timeoutSeconds: 60
restore:
  rampPercent: [50, 100]
  holdSeconds: 2
  max5xxRate: 0.01
  minRequests: 20
`;
}

/** The demo's balancer, as an operator would have built it: TCP 8080, HTTP check on /healthz. */
async function buildBalancer(emu: Emulator): Promise<{ id: string; address: string }> {
  const { loadBalancer } = createCloudPorts({
    region: emu.region,
    endpoint: emu.endpoint,
    credentials: emu.credentials,
    clock: systemClock,
    logger: createLogger({ level: 'silent' }),
  });
  const lb = await loadBalancer.create({
    name: 'bench-slb',
    addressType: 'internet',
    tags: { app: 'web' },
    clientToken: `bench-${Date.now()}`,
  });
  await loadBalancer.ensureListener(lb.id, {
    protocol: 'tcp',
    port: 8080,
    backendPort: 8080,
    scheduler: 'wrr',
    healthCheck: {
      enabled: true,
      type: 'http',
      uri: '/healthz',
      intervalSeconds: 1,
      timeoutSeconds: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    },
  });
  await loadBalancer.addBackends(
    lb.id,
    NODES.map((serverId) => ({ serverId, weight: 100 })),
  );
  await loadBalancer.startListener(lb.id, 8080, 'tcp');
  return { id: lb.id, address: lb.address };
}

type Entry = {
  ts: string;
  type: string;
  step?: string;
  op?: string;
  kind?: string;
  outcome?: string;
};

async function trial(mode: Mode): Promise<Trial> {
  const dir = await mkdtemp(join(tmpdir(), 'drainctl-bench-assist-'));
  const { keepaliveRequests: _demoLimit, ...pace } = DEMO_TIMINGS;
  const emu = await startEmulator({
    port: 0,
    stateDir: join(dir, 'emulator'),
    timings: { ...pace, ...NGINX_KEEPALIVE },
  });
  try {
    const lb = await buildBalancer(emu);
    const file = join(dir, 'workflow.yaml');
    await writeFile(file, workflow(mode));
    const home = join(dir, 'home');
    const env = {
      ...process.env,
      DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
      ALIBABA_CLOUD_REGION_ID: emu.region,
      DRAINCTL_HOME: home,
      LOAD_BALANCER_ID: lb.id,
      EMU_STATE: emu.stateDir,
    };
    // The demo's clients (src/app/demo.ts), on the balancer's address: after the DNS cutover.
    const load = new LoadGenerator({
      hostname: 'www.example.com',
      port: 8080,
      resolve: async () => ({ address: lb.address, ttlSeconds: 1 }),
      ratePerSecond: 300,
      clients: 24,
      slow: { every: 5, suffix: '?delay_ms=250' },
      clock: systemClock,
    });
    load.start();
    let stats: LoadStats;
    let result: Awaited<ReturnType<typeof run>>;
    try {
      await systemClock.sleep(WARM_UP_MS);
      result = await run(file, {
        env,
        cwd: dir,
        home,
        logger: createLogger({ level: 'silent' }),
      });
      await systemClock.sleep(1000);
    } finally {
      stats = await load.stop();
    }
    const text = await readFile(join(home, 'runs', result.runId, 'journal.jsonl'), 'utf8');
    const entries = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Entry);
    const atZero = entries.find(
      (e) => e.type === 'result' && e.op === 'set-weight' && e.step?.includes('node.drain'),
    );
    const decided = entries.find((e) => e.type === 'probe' && e.kind === 'drain');
    if (atZero === undefined || decided === undefined) {
      throw new Error(`the run journaled no drain (${result.outcome}): ${text.slice(-2000)}`);
    }
    return {
      mode,
      drainSeconds: (Date.parse(decided.ts) - Date.parse(atZero.ts)) / 1000,
      drainOutcome: decided.outcome ?? '?',
      runOutcome: result.outcome,
      load: stats,
    };
  } finally {
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const index = process.argv.indexOf('--trials');
  const trials = Number(
    index >= 0 ? process.argv[index + 1] : (process.env.BENCH_DRAIN_ASSIST_TRIALS ?? 3),
  );
  if (!Number.isInteger(trials) || trials < 1)
    throw new Error('--trials must be a whole number ≥ 1');
  console.log(
    `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? '?'}, Node ${process.version}; ` +
      `servers: keepalive_requests ${NGINX_KEEPALIVE.keepaliveRequests}, keepalive_timeout ${NGINX_KEEPALIVE.keepaliveTimeoutSeconds}s; ` +
      `clients: 24 at 300 req/s; quietSeconds ${QUIET_SECONDS}; ${trials} trial(s) of each`,
  );
  const results: Trial[] = [];
  for (let n = 1; n <= trials; n += 1) {
    for (const mode of ['without', 'with'] as const) {
      const t = await trial(mode);
      results.push(t);
      console.log(
        [
          `trial ${n} ${mode.padEnd(7)} the assist`,
          `drain ${t.drainSeconds.toFixed(1)} s (${t.drainOutcome})`,
          `run ${t.runOutcome}`,
          `${t.load.total} requests, ${t.load.failed} failed, ${t.load.resent} resent`,
          ...(t.load.failures.length > 0
            ? [
                `first failures: ${t.load.failures
                  .slice(0, 3)
                  .map((f) => f.reason)
                  .join(', ')}`,
              ]
            : []),
        ].join(' | '),
      );
    }
  }
  const of = (mode: Mode) => results.filter((t) => t.mode === mode);
  const failed = (mode: Mode) => of(mode).reduce((sum, t) => sum + t.load.failed, 0);
  const withoutS = median(of('without').map((t) => t.drainSeconds));
  const withS = median(of('with').map((t) => t.drainSeconds));
  console.log(
    `without the assist: median ${withoutS.toFixed(1)} s, ${failed('without')} failed; ` +
      `with it: median ${withS.toFixed(1)} s (target ≤ ${QUIET_SECONDS + 2} s), ${failed('with')} failed`,
  );
  console.log(
    `drain-assist: without-s=${withoutS.toFixed(1)} with-s=${withS.toFixed(1)} failed=${failed('without') + failed('with')}`,
  );
}

await main();
