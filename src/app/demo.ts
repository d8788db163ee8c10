/**
 * The demo's entry point (`drainctl demo`, what `npm start` runs), start to end: an emulated
 * world, clients hitting www.example.com, the demo workflow planned and executed by the same
 * engine `drainctl run` uses, a live view, and a report whose verdict comes from the clients'
 * experience and the emulator's ground truth — not from drainctl's own opinion of how it went.
 * Its parts are src/demo's.
 */
import { packageFile } from '../config/index.js';
import type { DemoReport } from '../demo/demo-report.js';
import type { DemoWorld } from '../demo/demo-world.js';
import type { BackendTraffic, DemoTraffic, DemoView } from '../demo/live-view.js';
import type { RunReport } from '../engine/index.js';
import type { JournalEntry } from '../engine/journal/entries.js';
import { foldJournal } from '../engine/journal/run-state.js';
import { sha256Hex } from '../engine/sha256.js';
import type { Logger } from '../log/index.js';
import { planRollout } from '../plan/index.js';
import type { TrafficProbeFactory } from '../ports/index.js';
import { RunProgress } from '../progress/index.js';
import type { WorkflowSpec } from '../workflow/index.js';
import { createRuntime, systemClock } from './composition-root.js';
import { observeInventory } from './observe-inventory.js';
import { loadWorkflow } from './workflow-file.js';

export const DEMO_WORKFLOW = packageFile('workflows/demo.yaml');
const SERVICE_NAME = 'www.example.com';
const SERVICE_PORT = 8080;
const VIEW_EVERY_MS = 250;

export interface DemoOptions {
  /** false: the naive patch night — no drain wait, no ramp — to show what it costs. */
  drain: boolean;
  /** DRAINCTL_HOME of the demo (journal, locks, the emulator's access logs). */
  home: string;
  logger: Logger;
  /** Shows the run's own progress view (as `drainctl run` does) with the clients' traffic. */
  view: DemoView;
  signal: AbortSignal;
  ratePerSecond?: number;
  clients?: number;
}

/** Without a drain: weight 0 and straight into the reboot, and straight back to full weight. */
function naive(spec: WorkflowSpec): WorkflowSpec {
  return {
    ...spec,
    drain: { ...spec.drain, probe: { kind: 'none', waitSeconds: 0 } },
    restore: { ...spec.restore, rampPercent: [100], holdSeconds: 0 },
  };
}

/**
 * The demo's parts — its world on the emulator, the clients, the monitor — loaded when a demo
 * runs: every other command imports the app without them.
 */
async function loadDemoParts() {
  const [report, run, world, monitor, load, resolver] = await Promise.all([
    import('../demo/demo-report.js'),
    import('../demo/demo-run.js'),
    import('../demo/demo-world.js'),
    import('../demo/invariant-monitor.js'),
    import('../demo/load-generator.js'),
    import('../demo/service-resolver.js'),
  ]);
  return {
    buildDemoReport: report.buildDemoReport,
    startDemoRun: run.startDemoRun,
    startDemoWorld: world.startDemoWorld,
    InvariantMonitor: monitor.InvariantMonitor,
    sampleInvariants: monitor.sampleInvariants,
    LoadGenerator: load.LoadGenerator,
    serviceResolver: resolver.serviceResolver,
  };
}
type DemoParts = Awaited<ReturnType<typeof loadDemoParts>>;

export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const started = systemClock.monotonic();
  const parts = await loadDemoParts();
  const world = await parts.startDemoWorld(options.home);
  try {
    return await runInWorld(world, parts, options, started);
  } finally {
    await world.emulator.close();
  }
}

async function runInWorld(
  world: DemoWorld,
  parts: DemoParts,
  options: DemoOptions,
  started: number,
): Promise<DemoReport> {
  const {
    buildDemoReport,
    InvariantMonitor,
    LoadGenerator,
    sampleInvariants,
    serviceResolver,
    startDemoRun,
  } = parts;
  const { emulator } = world;
  const resolve = serviceResolver(emulator.dnsServer);
  const kernelsBefore = new Map(emulator.state().instances.map((i) => [i.id, i.kernel]));
  const dnsBefore = await resolve(SERVICE_NAME);

  const load = new LoadGenerator({
    hostname: SERVICE_NAME,
    port: SERVICE_PORT,
    resolve,
    ratePerSecond: options.ratePerSecond ?? 300,
    clients: options.clients ?? 24,
    // One request in five takes 250 ms on the server (the emulator's app honours ?delay_ms).
    slow: { every: 5, suffix: '?delay_ms=250' },
    clock: systemClock,
    servedBy: (headers) => String(headers['x-served-by'] ?? '') || undefined,
  });
  load.start();

  const workflow = await loadWorkflow(DEMO_WORKFLOW, world.workflowEnv);
  const spec = options.drain ? workflow.spec : naive(workflow.spec);
  const { ports, cloud } = createRuntime({
    environment: world.environment,
    region: spec.region,
    logger: options.logger,
    env: world.workflowEnv,
  });
  const drainProgress = new Map<string, NonNullable<BackendTraffic['drain']>>();
  const trafficProbes = watchDrains(ports.trafficProbes, drainProgress, spec.drain.quietSeconds);
  const inventory = await observeInventory(spec, cloud, { file: DEMO_WORKFLOW });
  const plan = planRollout(
    spec,
    inventory,
    { file: 'workflows/demo.yaml', text: workflow.source.text },
    sha256Hex,
  );
  const runNodes = plan.nodes.map((n) => n.id);
  const names = new Map(plan.nodes.map((n) => [n.id, n.name]));

  const entries: JournalEntry[] = [];
  const progress = new RunProgress();
  const monitor = new InvariantMonitor();
  let rollingOut = false;
  let lastCounts = load.snapshot().byBackend;
  let rps: Record<string, number> = {};
  let lastRateAt = systemClock.monotonic();

  const tick = () => {
    const truth = emulator.state();
    const balancer = truth.loadBalancers[0];
    const state = entries.length > 0 ? foldJournal(entries) : undefined;
    const currentStep = state ? plan.steps.find((s) => !state.completedSteps.has(s.id)) : undefined;
    if (currentStep?.phase === 'rollout') rollingOut = true;
    if (rollingOut && balancer) monitor.record(sampleInvariants(balancer.backends, runNodes));
    const now = systemClock.monotonic();
    const counts = load.snapshot();
    if (now - lastRateAt >= 1000) {
      rps = Object.fromEntries(
        Object.entries(counts.byBackend).map(([k, v]) => [
          k,
          ((v - (lastCounts[k] ?? 0)) * 1000) / (now - lastRateAt),
        ]),
      );
      lastCounts = counts.byBackend;
      lastRateAt = now;
    }
    const record = truth.records.find((r) => r.name === SERVICE_NAME);
    const traffic: DemoTraffic = {
      title: `drainctl demo${options.drain ? '' : ' --no-drain'}`,
      elapsedSeconds: (now - started) / 1000,
      backends: runNodes.map((id) => {
        const drain = drainProgress.get(id);
        return {
          id,
          name: names.get(id) ?? id,
          kernel: truth.instances.find((i) => i.id === id)?.kernel ?? '',
          ...(state?.nodes.get(id)?.state === 'draining' && drain ? { drain } : {}),
        };
      }),
      requestsPerSecondByBackend: rps,
      requests: { total: counts.total, failed: counts.failed },
      ...(record ? { dns: `${SERVICE_NAME} → ${record.value} (ttl ${record.ttl})` } : {}),
    };
    options.view.frame(progress.frame(systemClock.now()), traffic);
  };
  const ticker = setInterval(tick, VIEW_EVERY_MS);

  let report: RunReport;
  try {
    // Every demo builds a fresh emulated world: an earlier demo's run or lock holds nothing here.
    const result = await startDemoRun(plan, {
      home: options.home,
      ports: { ...ports, trafficProbes },
      logger: options.logger,
      signal: options.signal,
      journal: {
        afterAppend: (entry) => {
          entries.push(entry);
          options.view.progress(progress.apply(entry));
        },
      },
    });
    report = result.report;
    // A last second of traffic on the finished setup, so the clients' verdict covers it too.
    await systemClock.sleep(1000);
  } finally {
    clearInterval(ticker);
    tick();
  }
  const stats = await load.stop();
  const truth = emulator.state();
  const balancer = truth.loadBalancers[0];
  const dnsAfter = await resolve(SERVICE_NAME).catch(() => undefined);
  return buildDemoReport({
    mode: options.drain ? 'drain' : 'no-drain',
    durationSeconds: (systemClock.monotonic() - started) / 1000,
    run: report,
    home: options.home,
    load: stats,
    monitor: monitor.result(),
    // The plan holds the budget resolved to counts (a percent in the workflow becomes a number).
    minHealthy: plan.rollout?.minHealthy ?? 1,
    maxUnavailable: plan.rollout?.maxUnavailable ?? 1,
    kernels: {
      before: kernelsBefore,
      after: new Map(truth.instances.map((i) => [i.id, i.kernel])),
    },
    weightsAfter: new Map((balancer?.backends ?? []).map((b) => [b.serverId, b.weight])),
    dns: {
      name: SERVICE_NAME,
      before: { value: dnsBefore.address, ttl: dnsBefore.ttlSeconds },
      after: dnsAfter ? { value: dnsAfter.address, ttl: dnsAfter.ttlSeconds } : undefined,
      loadBalancerAddress: balancer?.address,
    },
  });
}

/** The engine's probes, with their drain progress copied out for the live view. */
function watchDrains(
  inner: TrafficProbeFactory,
  progress: Map<string, NonNullable<BackendTraffic['drain']>>,
  quietTarget: number,
): TrafficProbeFactory {
  return async (nodeId, config) => {
    const probe = await inner(nodeId, config);
    return {
      waitForDrain: (opts) =>
        probe.waitForDrain({
          ...opts,
          onProgress: (p) => {
            progress.set(nodeId, {
              quietSeconds: p.quietSeconds,
              quietTarget,
              requestsPerSecond: p.requestsPerSecond,
            });
            opts.onProgress?.(p);
          },
        }),
      measureErrorRate: (opts) => probe.measureErrorRate(opts),
      close: () => probe.close(),
    };
  };
}
