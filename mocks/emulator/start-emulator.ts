/**
 * mocks/emulator — composition of the control plane with the world: addresses, context, state
 * snapshot, timings, faults routing, startEmulator. Owns no product semantics; never imports src/.
 *
 * The composition root: builds the address plan, the stores, the world and the HTTP endpoint, and
 * hands back a handle for tests, the CLI and the demo.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dnsProduct } from '../dns/index.js';
import { DnsStore } from '../dns/store.js';
import { ecsProduct } from '../ecs/index.js';
import { EcsStore } from '../ecs/store.js';
import { ApiFaults } from '../faults/api-faults.js';
import type { Fault } from '../faults/fault-schema.js';
import { type ActionCallCount, ApiCallCounts } from '../server/api-call-counts.js';
import { createDispatcher } from '../server/api-dispatch.js';
import { createEmulatorServer, listenOnLoopback } from '../server/http-server.js';
import { ApiRateLimits, parseRateLimits, type RateLimitTable } from '../server/rate-limits.js';
import { createSignatureVerifier } from '../server/signature/verify-signature.js';
import { slbProduct } from '../slb/index.js';
import { SlbStore } from '../slb/store.js';
import { addTopologyBalancers } from '../slb/topology-balancers.js';
import { resolveTopology } from '../topology/load-topology.js';
import type { Topology, TopologyInput } from '../topology/schema.js';
import type { AccessLogFormat } from '../world/index.js';
import type { World } from '../world/types.js';
import { AddressPlan, probeLoopback, randomSubnet } from './addresses.js';
import type { EmulatorContext } from './context.js';
import { EMULATOR_CREDENTIALS } from './credentials.js';
import { FaultRouter } from './fault-router.js';
import { populateWorld } from './populate-world.js';
import { type EmulatorState, snapshot } from './state-snapshot.js';
import { type EmulatorTimings, resolveTimings } from './timings.js';
import { createDefaultWorld, type WorldFactory } from './world-factory.js';

export interface StartEmulatorOptions {
  /** A topology object, a YAML file path, or nothing for the default topology. */
  topology?: TopologyInput | Topology | string;
  /** Access logs and other state; a temporary directory (removed on close) when absent. */
  stateDir?: string;
  /** Port of the API endpoint on 127.0.0.1; 0 (the default) lets the OS pick. */
  port?: number;
  /** > 0 turns on SLB's asynchrony: ServiceIsConfiguring for this long after each change. */
  configuringDelayMs?: number;
  timings?: Partial<EmulatorTimings>;
  /** nginx `combined` (default) or `combined_request_time` (appends $request_time). */
  accessLogFormat?: AccessLogFormat;
  /** Failures inside the world with no caller to report to; default: a process warning. */
  onWorldError?: (error: Error) => void;
  /** Replaces the simulated world (for tests of the control plane alone). */
  createWorld?: WorldFactory;
  /** Errors no handler meant to raise (answered as InternalError); default: ignored. */
  onUnexpectedError?: (error: unknown, action: string) => void;
  /**
   * Per-action API quotas to enforce (Throttling.User above them), as a table or as
   * `Action=N/S,…`; default: none. The admin API changes them at run time.
   */
  rateLimits?: RateLimitTable | string;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT`: the value for DRAINCTL_CLOUD_ENDPOINT. */
  readonly endpoint: string;
  readonly port: number;
  readonly stateDir: string;
  /** The /24 (or, for more than 89 instances, the /16) its instances, balancers and DNS live in. */
  readonly subnet: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; accessKeySecret: string };
  readonly topology: Topology;
  /** The simulated world (replaced by reset()). */
  readonly world: World;
  /** "host:port" of the authoritative DNS server (UDP). */
  readonly dnsServer: string;
  state(): EmulatorState;
  /** Validates and applies a fault (API faults here, world faults in the world). */
  injectFault(fault: unknown): Fault;
  faults(): Fault[];
  clearFaults(): void;
  /** Replaces the per-action quotas in force ({} for none). */
  setRateLimits(limits: RateLimitTable | string): RateLimitTable;
  /** API calls answered since the start (or the last clearApiCalls), per action and outcome. */
  apiCalls(): Record<string, ActionCallCount>;
  clearApiCalls(): void;
  /** Back to the topology's initial state: only its balancers, records as configured, no faults. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts an emulator on 127.0.0.1.
 *
 * @example
 *   const emu = await startEmulator({ port: 0, timings: { bootMs: 200 } });
 *   // … SDK clients with endpoint emu.endpoint …
 *   await emu.close();
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const topology = resolveTopology(options.topology);
  const addresses = new AddressPlan(topology.subnet ?? randomSubnet(topology.instances.length));
  await probeLoopback(addresses.instance(0), addresses.addressesFor(topology.instances.length));
  const ownsStateDir = options.stateDir === undefined;
  const stateDir = resolve(
    options.stateDir ?? (await mkdtemp(join(tmpdir(), 'drainctl-emulator-'))),
  );
  const timings = resolveTimings({ ...topology.timings, ...options.timings });
  const _createWorld = options.createWorld ?? createDefaultWorld;
  const startedAt = Date.now();

  let world: World = undefined as unknown as World;
  const ecs = new EcsStore(topology, addresses, () => world, startedAt);
  const dns = new DnsStore(topology, (id) => ecs.privateIp(id), startedAt);
  const slb = new SlbStore();
  addTopologyBalancers(topology, slb, addresses, startedAt);
  const apiFaults = new ApiFaults();
  const rateLimits = new ApiRateLimits();
  if (options.rateLimits !== undefined) rateLimits.set(parseRateLimits(options.rateLimits));
  const callCounts = new ApiCallCounts();
  const setRateLimits = (limits: unknown) => {
    rateLimits.set(parseRateLimits(limits));
    return rateLimits.list();
  };
  const faults = new FaultRouter(
    apiFaults,
    (id) => ecs.instances.has(id),
    () => world,
  );
  const buildWorld = () =>
    populateWorld(
      options.createWorld ?? createDefaultWorld,
      {
        stateDir,
        dnsAddress: addresses.dns,
        timings,
        accessLogFormat: options.accessLogFormat ?? topology.accessLogFormat,
        onError: options.onWorldError,
      },
      topology,
      { ecs, dns },
    );

  world = await buildWorld();
  const context: EmulatorContext = {
    get world() {
      return world;
    },
    topology,
    addresses,
    slb,
    dns,
    ecs,
    configuringDelayMs: options.configuringDelayMs ?? 0,
    healthCheckScale: timings.healthCheckScale,
    now: () => Date.now(),
    publishDns: () => world.setDnsRecords(dns.answers(), dns.zones()),
  };

  const dispatch = createDispatcher({
    products: [slbProduct, dnsProduct, ecsProduct],
    verifier: createSignatureVerifier({ credentials: EMULATOR_CREDENTIALS }),
    faults: apiFaults,
    rateLimits,
    callCounts,
    context: () => context,
    onUnexpectedError: options.onUnexpectedError,
  });
  const server = createEmulatorServer(dispatch, {
    state: () => snapshot(context),
    reset: () => reset(),
    injectFault: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    rateLimits: () => rateLimits.list(),
    setRateLimits,
    apiCalls: () => callCounts.list(),
    clearApiCalls: () => callCounts.clear(),
  });

  async function reset(): Promise<void> {
    faults.forget();
    const old = world;
    slb.reset();
    ecs.reset();
    dns.reset();
    addresses.resetLoadBalancers();
    addTopologyBalancers(topology, slb, addresses, Date.now());
    await old.close();
    world = await buildWorld();
  }

  let port: number;
  try {
    port = await listenOnLoopback(server, options.port ?? 0);
  } catch (error) {
    await world.close();
    throw error;
  }

  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stateDir,
    subnet: addresses.subnet,
    region: topology.region,
    credentials: { ...EMULATOR_CREDENTIALS },
    topology,
    get world() {
      return world;
    },
    get dnsServer() {
      return world.dnsServer;
    },
    state: () => snapshot(context),
    injectFault: (fault) => faults.inject(fault),
    faults: () => faults.list(),
    clearFaults: () => faults.clear(),
    setRateLimits,
    apiCalls: () => callCounts.list(),
    clearApiCalls: () => callCounts.clear(),
    reset,
    close() {
      closed ??= (async () => {
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
        await world.close();
        if (ownsStateDir) await rm(stateDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
