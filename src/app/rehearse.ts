/**
 * The `rehearse` use case: tonight's plan tried on a copy of the real account before the night.
 * Observe the real account read-only, start an emulator that mirrors it (same ids, names,
 * weights, listeners and health checks, record and TTL), plan the workflow against both and
 * compare the sha256, then run the plan on the mirror under client load with the faults asked
 * for, on a compressed clock, and report whether every promise held. The real account is only
 * read: every call to it is a Describe*.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../mocks/index.js';
import type { DrainctlEnvironment } from '../config/index.js';
import type { RunResult } from '../engine/index.js';
import { sha256Hex } from '../engine/sha256.js';
import { DrainctlError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { type Plan, planDifferences, planRollout, type ZeroWeightChoices } from '../plan/index.js';
import type { CloudCallEvent, Host, RateBuckets, ServerAttachments } from '../ports/index.js';
import type { LoadedWorkflow, WorkflowSpec } from '../workflow/index.js';
import { createRuntime, observationPorts, systemClock } from './composition-root.js';
import { addressMap, inRealAddresses, mirrorListeners, mirrorTopology } from './mirror-topology.js';
import { type AccountObservation, observeAccount } from './observe-account.js';
import type { InventoryPorts } from './observe-inventory.js';
import { observeInventory } from './observe-inventory.js';
import { planWorkflowFile, workflowPathForPlan } from './plan.js';
import { emulatorFault, faultInstance, parseFaultSpec } from './rehearsal-faults.js';
import {
  faultEffect,
  REHEARSAL_REPORT_KIND,
  type RehearsalPromise,
  type RehearsalReport,
} from './rehearsal-report.js';
import { runPlan } from './run.js';

export interface RehearseOptions {
  /** `${VAR}` values and the default region. */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The real account's environment (endpoint, region): only read. */
  environment: DrainctlEnvironment;
  logger: Logger;
  /** `--fault` specs. */
  faults?: readonly string[];
  /** Client requests per second through the mirror's balancer; 0: no load. */
  loadRps?: number;
  /** drainctl's clock runs this many times as fast as the wall during the run (default 10). */
  compression?: number;
  choices?: ZeroWeightChoices;
  /** Observe the real account through these instead of the environment's adapters. */
  ports?: InventoryPorts & { attachments: ServerAttachments };
  signal?: AbortSignal;
  /**
   * Replicas: the look at the real account draws from the API rate limits every replica shares
   * (the database's buckets); the mirror's run does not (it calls the emulator).
   */
  rateBuckets?: RateBuckets;
}

const DEFAULT_LOAD_RPS = 50;
const DEFAULT_COMPRESSION = 10;
const SAMPLE_EVERY_MS = 200;

/** @example const report = await rehearseWorkflowFile('night.yaml', options); */
export async function rehearseWorkflowFile(
  file: string,
  options: RehearseOptions,
): Promise<RehearsalReport> {
  const startedAt = new Date().toISOString();
  const faults = (options.faults ?? []).map(parseFaultSpec);
  const compression = options.compression ?? DEFAULT_COMPRESSION;
  const loadRps = options.loadRps ?? DEFAULT_LOAD_RPS;
  const { plan: realPlan, workflow } = await planWorkflowFile(file, {
    env: options.env,
    cwd: options.cwd,
    environment: options.environment,
    logger: options.logger,
    ...(options.choices === undefined ? {} : { choices: options.choices }),
    ...(options.ports === undefined ? {} : { ports: options.ports }),
    ...(options.rateBuckets === undefined ? {} : { rateBuckets: options.rateBuckets }),
  });
  const { spec } = workflow;
  const realPorts =
    options.ports ??
    observationPorts(
      options.environment,
      spec.region,
      options.logger,
      undefined,
      options.rateBuckets,
    );
  const observation = await observeAccount(realPlan.inventory, realPorts);
  // Every fault must name a server of this world before anything starts.
  for (const fault of faults) emulatorFault(fault, observation.instances);

  const home = await mkdtemp(join(tmpdir(), 'drainctl-rehearsal-'));
  try {
    const mirror = await startMirror(observation, spec.dns?.domain, compression);
    try {
      return await rehearseOnMirror(mirror, home, {
        file,
        workflow,
        realPlan,
        observation,
        faults,
        compression,
        loadRps,
        options,
        startedAt,
      });
    } finally {
      await mirror.close();
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** The emulator that mirrors the observation; an account it cannot hold is said plainly. */
async function startMirror(
  observation: AccountObservation,
  domain: string | undefined,
  compression: number,
): Promise<Emulator> {
  const { startEmulator, TopologyError } = await import('../../mocks/index.js');
  try {
    return await startEmulator({
      port: 0,
      topology: mirrorTopology(observation, domain),
      // The listeners' health checks at drainctl's compressed pace, so a check interval takes
      // the same share of a health timeout as it does in the account.
      timings: { healthCheckScale: 1 / compression },
    });
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error;
    throw new DrainctlError(
      'MIRROR_UNSUPPORTED',
      `the emulator cannot mirror this account: ${error.message}`,
      { cause: error },
    );
  }
}

interface Rehearsal {
  file: string;
  workflow: LoadedWorkflow;
  realPlan: Plan;
  observation: AccountObservation;
  faults: ReturnType<typeof parseFaultSpec>[];
  compression: number;
  loadRps: number;
  options: RehearseOptions;
  startedAt: string;
}

async function rehearseOnMirror(
  mirror: Emulator,
  home: string,
  rehearsal: Rehearsal,
): Promise<RehearsalReport> {
  const { workflow, realPlan, observation, options } = rehearsal;
  const { spec } = workflow;
  const calls = new Map<string, { total: number; failed: Map<string, number> }>();
  const countCall = (event: CloudCallEvent) => {
    const seen = calls.get(event.action) ?? { total: 0, failed: new Map<string, number>() };
    seen.total += 1;
    if (event.code !== 'OK') seen.failed.set(event.code, (seen.failed.get(event.code) ?? 0) + 1);
    calls.set(event.action, seen);
  };
  const environment: DrainctlEnvironment = {
    regionId: mirror.region,
    cloudEndpoint: new URL(mirror.endpoint),
    home,
    logLevel: options.environment.logLevel,
  };
  // The mirror's own key pair, given to its adapters only: the real keys never reach it.
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    ALIBABA_CLOUD_ACCESS_KEY_ID: mirror.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: mirror.credentials.accessKeySecret,
    ALIBABA_CLOUD_SECURITY_TOKEN: undefined,
  };
  const runtime = createRuntime({
    environment,
    region: spec.region,
    logger: options.logger,
    env,
    timeCompression: rehearsal.compression,
    onCloudCall: countCall,
  });
  const { clock } = runtime.ports;
  const balancerId = observation.inventory.loadBalancer?.id;
  if (balancerId !== undefined) {
    for (const { config, running } of mirrorListeners(observation)) {
      await runtime.cloud.loadBalancer.ensureListener(balancerId, config);
      if (running) {
        await runtime.cloud.loadBalancer.startListener(balancerId, config.port, config.protocol);
      }
    }
  }
  const downNotes = await bringDown(mirror, runtime.cloud.host, balancerId, observation);

  const source = {
    file: workflowPathForPlan(rehearsal.file, options.cwd),
    text: workflow.source.text,
  };
  const mirrorInventory = await observeInventory(spec, runtime.cloud, { file: rehearsal.file });
  const addresses = addressMap(observation, mirror.state());
  const mirrorPlan = planRollout(
    spec,
    inRealAddresses(mirrorInventory, addresses, realPlan.inventory.dns?.nameServers),
    source,
    sha256Hex,
    realPlan.zeroWeightChoices ?? {},
  );
  const { spec: runSpec, notes } = specForMirror(spec, mirror.stateDir);
  const runnable = planRollout(
    runSpec,
    mirrorInventory,
    source,
    sha256Hex,
    realPlan.zeroWeightChoices ?? {},
  );

  const injected = rehearsal.faults.map((fault) => {
    const json = emulatorFault(fault, observation.instances);
    mirror.injectFault(json);
    return {
      fault,
      json,
      instanceId: 'server' in fault ? faultInstance(fault, observation.instances).id : undefined,
    };
  });
  const { LoadGenerator } = await import('../demo/load-generator.js');
  const target = mirror
    .state()
    .loadBalancers.find((lb) => lb.id === balancerId)
    ?.listeners.find((listener) => listener.dataPlane !== null);
  const load =
    target === undefined || rehearsal.loadRps <= 0
      ? undefined
      : new LoadGenerator({
          hostname: observation.inventory.dns?.record?.rr ?? 'service',
          port: target.port,
          resolve: async () => ({
            address: (target.dataPlane ?? '').split(':')[0] ?? '',
            ttlSeconds: 3600,
          }),
          ratePerSecond: rehearsal.loadRps,
          clients: Math.max(2, Math.min(24, Math.ceil(rehearsal.loadRps / 10))),
          clock: systemClock,
          servedBy: (headers) => String(headers['x-served-by'] ?? '') || undefined,
        });
  const truth = watchPromises(mirror, balancerId, runnable);
  load?.start();
  const realStart = systemClock.monotonic();
  const clockStart = clock.monotonic();
  let result: RunResult;
  let stats: Awaited<ReturnType<NonNullable<typeof load>['stop']>> | undefined;
  try {
    result = await runPlan(runnable, {
      home,
      environment,
      env,
      logger: options.logger,
      ports: runtime.ports,
      newRun: true,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } finally {
    truth.stop();
    // The clients stop with the run, however it ended: the mirror closes next.
    stats = await load?.stop();
  }
  const realSeconds = (systemClock.monotonic() - realStart) / 1000;
  const compressedSeconds = (clock.monotonic() - clockStart) / 1000;

  const run: RehearsalReport['run'] = {
    runId: result.report.runId,
    outcome: result.report.outcome,
    summary: result.report.summary,
    ...(result.report.haltReason === undefined ? {} : { haltReason: result.report.haltReason }),
    nodes: result.report.nodes.map((node) => ({
      id: node.id,
      name: node.name,
      state: node.state,
      ...(node.weightAfter === undefined ? {} : { weightAfter: node.weightAfter }),
      ...(node.reason === undefined ? {} : { reason: node.reason }),
      ...(node.detail === undefined ? {} : { detail: node.detail }),
    })),
  };
  const promises = promisesOf(truth.summary(), runnable, result, stats?.failed ?? 0);
  const record = observation.inventory.dns?.record;
  const differences = planDifferences(realPlan, mirrorPlan);
  return {
    kind: REHEARSAL_REPORT_KIND,
    workflow: source.file,
    planSha256: realPlan.sha256,
    mirrorPlanSha256: mirrorPlan.sha256,
    samePlan: mirrorPlan.sha256 === realPlan.sha256,
    differences,
    runPlanSha256: runnable.sha256,
    mirror: {
      instances: observation.instances.length,
      ...(balancerId === undefined ? {} : { loadBalancerId: balancerId }),
      listeners: mirrorListeners(observation).length,
      ...(record === undefined || spec.dns === undefined
        ? {}
        : {
            record: {
              name: `${record.rr}.${spec.dns.domain}`,
              value: record.value,
              ttl: record.ttl,
            },
          }),
      notes: [
        "kernels: not read from the account (only RunCommand could); the mirror's servers run the emulator's kernel and stage a newer one",
        'addresses: the mirror lives on loopback; its addresses are compared as the real ones',
        ...downNotes,
        ...notes,
      ],
    },
    timeCompression: {
      factor: rehearsal.compression,
      realSeconds: round(realSeconds),
      compressedSeconds: round(compressedSeconds),
    },
    load: {
      ratePerSecond: load === undefined ? 0 : rehearsal.loadRps,
      total: stats?.total ?? 0,
      ok: stats?.ok ?? 0,
      failed: stats?.failed ?? 0,
      failures: (stats?.failures ?? []).slice(0, 10),
    },
    faults: injected.map(({ fault, json, instanceId }) => ({
      spec: fault.spec,
      injected: json,
      effect: faultEffect(fault, instanceId, run, calls),
    })),
    run,
    promises,
    everyPromiseHeld: promises.every((promise) => promise.held),
    startedAt: rehearsal.startedAt,
  };
}

/** How long a mirrored server may take to be seen down after its failed reboot (real time). */
const DOWN_WITHIN_MS = 30_000;

/**
 * Servers whose health check fails in the account (`abnormal`: a weight-0 server never shows it)
 * fail in the mirror too: rebooted there with a boot that does not come up, as a server whose
 * OS is down looks from outside. Then the mirror's faults are cleared, so the rehearsal's own
 * start from none and a reboot in the run brings such a server back.
 */
async function bringDown(
  mirror: Emulator,
  host: Host,
  balancerId: string | undefined,
  observation: AccountObservation,
): Promise<string[]> {
  const health = observation.inventory.loadBalancer?.health ?? [];
  const down = [...new Set(health.filter((h) => h.health === 'abnormal').map((h) => h.serverId))];
  if (down.length === 0) return [];
  for (const id of down) {
    mirror.injectFault({ kind: 'boot-failure', instanceId: id });
    await host.reboot(id);
  }
  // Down as in the account: Running again (its reboot over) and failing its health check.
  const isDown = (id: string) => {
    const state = mirror.state();
    return (
      state.instances.some((i) => i.id === id && i.status === 'Running') &&
      state.loadBalancers
        .find((lb) => lb.id === balancerId)
        ?.backends.some((b) => b.serverId === id && b.health === 'abnormal') === true
    );
  };
  const deadline = systemClock.monotonic() + DOWN_WITHIN_MS;
  while (!down.every(isDown) && systemClock.monotonic() < deadline) await systemClock.sleep(100);
  mirror.clearFaults();
  const names = new Map(observation.instances.map((i) => [i.id, i.name]));
  return down.map(
    (id) =>
      `${names.get(id) ?? id}: failing its health check in the account, ${isDown(id) ? 'down' : 'NOT yet down'} in the mirror (rebooted into an OS that does not come up)`,
  );
}

const round = (seconds: number) => Math.round(seconds * 10) / 10;

/**
 * The workflow as the mirror can run it: commands through Cloud Assistant (the mirror's servers
 * have no SSH), access logs read from the mirror's files, no hook on this machine and no
 * notification or alert gate, which would reach the real world. Each change is a note.
 */
function specForMirror(
  spec: WorkflowSpec,
  stateDir: string,
): { spec: WorkflowSpec; notes: string[] } {
  const notes: string[] = [];
  let drain = spec.drain;
  if (drain.probe.kind === 'access-log') {
    drain = {
      ...drain,
      probe: {
        ...drain.probe,
        source: 'local',
        path: join(stateDir, 'instances', '{instanceId}', 'access.log'),
      },
    };
    notes.push("drain probe: reads the mirror's access logs");
  }
  if (spec.access.via !== 'ecs' || Object.keys(spec.access.nodes).length > 0) {
    notes.push("access: Cloud Assistant on the mirror's servers instead of SSH");
  }
  const localHooks = [...spec.hooks.before, ...spec.hooks.after].filter(
    (hook) => hook.on === 'local',
  );
  if (localHooks.length > 0) notes.push(`hooks: ${localHooks.length} local hook(s) not run`);
  if (spec.notify !== undefined) notes.push('notify: no notification sent');
  if (spec.alertGate !== undefined) notes.push('alertGate: not asked');
  const { notify: _notify, alertGate: _alertGate, ...rest } = spec;
  return {
    spec: {
      ...rest,
      drain,
      access: { via: 'ecs', nodes: {} },
      hooks: {
        before: spec.hooks.before.filter((hook) => hook.on !== 'local'),
        after: spec.hooks.after.filter((hook) => hook.on !== 'local'),
      },
    },
    notes,
  };
}

interface TruthSummary {
  samples: number;
  minHealthyWeighted: number;
  maxOutOfService: number;
  /** Plan nodes at weight 0 at once, when most were. */
  worst: string[];
}

/** Samples the mirror's ground truth (not drainctl's view of it) while the run goes. */
function watchPromises(mirror: Emulator, balancerId: string | undefined, plan: Plan) {
  const names = new Map(plan.nodes.map((node) => [node.id, node.name]));
  const summary: TruthSummary = {
    samples: 0,
    minHealthyWeighted: Number.POSITIVE_INFINITY,
    maxOutOfService: 0,
    worst: [],
  };
  const sample = () => {
    const balancer = mirror.state().loadBalancers.find((lb) => lb.id === balancerId);
    if (balancer === undefined) return;
    const healthy = balancer.backends.filter((b) => b.weight > 0 && b.health === 'normal').length;
    const out = balancer.backends.filter((b) => b.weight === 0 && names.has(b.serverId));
    summary.samples += 1;
    summary.minHealthyWeighted = Math.min(summary.minHealthyWeighted, healthy);
    if (out.length > summary.maxOutOfService) {
      summary.maxOutOfService = out.length;
      summary.worst = out.map((b) => names.get(b.serverId) ?? b.serverId);
    }
  };
  sample();
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
    },
    summary: () => ({ ...summary }),
  };
}

function promisesOf(
  truth: TruthSummary,
  plan: Plan,
  result: RunResult,
  failedRequests: number,
): RehearsalPromise[] {
  const gate = plan.steps.find((step) => step.action === 'gate');
  const promises: RehearsalPromise[] = [];
  if (gate?.action === 'gate') {
    const { minHealthy, maxUnavailable } = gate.params;
    const lowest = Number.isFinite(truth.minHealthyWeighted) ? truth.minHealthyWeighted : 0;
    promises.push(
      {
        promise: `never fewer than ${minHealthy} healthy, weighted servers`,
        held: lowest >= minHealthy,
        detail: `lowest seen ${lowest} (${truth.samples} samples of the mirror's own state)`,
      },
      {
        promise: `never more than ${maxUnavailable} servers out of service`,
        held: truth.maxOutOfService <= maxUnavailable,
        detail: `most at once ${truth.maxOutOfService}${truth.worst.length === 0 ? '' : ` (${truth.worst.join(', ')})`}`,
      },
    );
  }
  promises.push(
    {
      promise: 'no client request failed',
      held: failedRequests === 0,
      detail: `${failedRequests} failed`,
    },
    {
      promise: 'every server ends serving or is reported by name',
      held: result.report.unfinished.length === 0,
      detail:
        result.report.unfinished.length === 0
          ? `${result.report.leftOut.length} left out by name`
          : `unfinished: ${result.report.unfinished.map((node) => node.name).join(', ')}`,
    },
  );
  return promises;
}
