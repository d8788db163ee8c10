/**
 * Observing the live world a workflow works on, read-only: the balancer (by id, or by the name
 * and tags a balancer this workflow created carries), its listeners, backends, health and tags,
 * the instances the workflow selects, and the DNS record with the zone's minimum TTL and name
 * servers. The planner turns this observation into a plan; nothing here changes anything.
 */
import { DrainctlError, InvalidInputError } from '../errors/index.js';
import { balancerTags } from '../plan/balancer-identity.js';
import { selfRunBalancer } from '../plan/self-run-balancer.js';
import type { ObservedInventory } from '../plan/types.js';
import type {
  Clock,
  Dns,
  Host,
  InstanceInfo,
  LoadBalancer,
  LoadBalancerInfo,
  RedisClusterView,
  RedisObserver,
  RedisSentinelView,
} from '../ports/index.js';
import type { WorkflowSpec } from '../workflow/index.js';

/** DescribeInstances takes at most 100 ids per call. */
const DESCRIBE_BATCH = 100;

export interface InventoryPorts {
  loadBalancer: LoadBalancer;
  host: Host;
  /** Needed only when the workflow has a `dns` block. */
  dns?: Dns;
  /** For `observedAt`; default: the system clock. */
  clock?: Pick<Clock, 'now'>;
  /** Needed only when the workflow has `inventory.redis`. */
  redis?: RedisObserver;
}

/**
 * @example
 *   const inventory = await observeInventory(spec, createCloudPorts(options));
 *   const plan = planRollout(spec, inventory, source);
 */
export async function observeInventory(
  spec: WorkflowSpec,
  ports: InventoryPorts,
  options: { file?: string } = {},
): Promise<ObservedInventory> {
  const file = options.file;
  const observedAt = new Date(ports.clock?.now() ?? Date.now()).toISOString();
  const [loadBalancer, dns, redis] = await Promise.all([
    observeBalancer(spec, ports.loadBalancer, file),
    observeDns(spec, ports.dns, file),
    observeRedis(spec, ports.redis),
  ]);
  const instances = await observeInstances(spec, ports.host, loadBalancer);
  return {
    observedAt,
    region: spec.region,
    ...(loadBalancer === undefined ? {} : { loadBalancer }),
    instances,
    ...(dns === undefined ? {} : { dns }),
    ...(redis === undefined ? {} : { redis }),
  };
}

async function observeRedis(
  spec: WorkflowSpec,
  redis: RedisObserver | undefined,
): Promise<RedisClusterView | RedisSentinelView | undefined> {
  const expected = spec.inventory?.redis;
  if (expected === undefined) return undefined;
  if (redis === undefined) {
    throw new DrainctlError(
      'REDIS_PORT_MISSING',
      'the workflow has inventory.redis but no Redis observer was given',
    );
  }
  const options = {
    ...(expected.password === undefined ? {} : { password: expected.password }),
    timeoutMs: expected.timeoutSeconds * 1000,
  };
  return expected.mode === 'sentinel'
    ? redis.observeSentinel(expected.sentinels, expected.masterName, options)
    : redis.observeCluster(expected.seeds, options);
}

type ObservedBalancer = NonNullable<ObservedInventory['loadBalancer']>;

async function observeBalancer(
  spec: WorkflowSpec,
  loadBalancer: LoadBalancer,
  file: string | undefined,
): Promise<ObservedBalancer | undefined> {
  const info = await findBalancer(spec, loadBalancer, file);
  if (info === undefined) return undefined;
  // Tags through DescribeTags, the read the lock uses too: the weights runs saved before their
  // drains live there (src/plan/saved-weight-tag.ts), and a balancer's attributes may not list them.
  const [listenerDetails, health, tags] = await Promise.all([
    Promise.all(
      info.listeners.map((listener) =>
        loadBalancer.describeListener(info.id, listener.port, listener.protocol),
      ),
    ),
    loadBalancer.healthStatus(info.id),
    loadBalancer.getTags(info.id),
  ]);
  return {
    ...info,
    tags,
    listenerDetails: listenerDetails.filter((listener) => listener !== undefined),
    health,
  };
}

async function findBalancer(
  spec: WorkflowSpec,
  loadBalancer: LoadBalancer,
  file: string | undefined,
): Promise<LoadBalancerInfo | undefined> {
  const { create } = spec.loadBalancer;
  // A balancer you run yourself is known by the id its section gives it (nginx:app@…).
  const id = spec.loadBalancer.id ?? selfRunBalancer(spec.loadBalancer)?.id;
  if (id !== undefined) {
    try {
      return await loadBalancer.describe(id);
    } catch (error) {
      // The planner reports a missing balancer as invalid input, with the workflow path.
      if (error instanceof DrainctlError && error.code === 'LOAD_BALANCER_NOT_FOUND')
        return undefined;
      throw error;
    }
  }
  if (create === undefined) return undefined;
  const tags = balancerTags(create);
  const found = await loadBalancer.findByName(create.name, tags);
  if (found.length > 1) {
    throw new InvalidInputError(
      `${file === undefined ? '' : `${file}: `}loadBalancer.create.name: ${found.length} balancers are named ${create.name} with tags ${JSON.stringify(tags)} (${found.map((lb) => lb.id).join(', ')}); name the one to use with loadBalancer.id`,
      {
        ...(file === undefined ? {} : { file }),
        path: 'loadBalancer.create.name',
        expected: 'a name and tags that identify at most one balancer',
        found: `${found.length} balancers: ${found.map((lb) => lb.id).join(', ')}`,
      },
    );
  }
  return found[0];
}

async function observeInstances(
  spec: WorkflowSpec,
  host: Host,
  loadBalancer: ObservedBalancer | undefined,
): Promise<InstanceInfo[]> {
  const { backends } = spec;
  if (backends.tags !== undefined) return host.findByTags(backends.tags);
  const ids =
    backends.instances !== undefined
      ? backends.instances.map((entry) => (typeof entry === 'string' ? entry : entry.id))
      : (loadBalancer?.backends ?? [])
          .filter((backend) => (backend.type ?? 'ecs') === 'ecs')
          .map((backend) => backend.serverId);
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let start = 0; start < unique.length; start += DESCRIBE_BATCH) {
    chunks.push(unique.slice(start, start + DESCRIBE_BATCH));
  }
  return (await Promise.all(chunks.map((chunk) => host.describe(chunk)))).flat();
}

async function observeDns(
  spec: WorkflowSpec,
  dns: Dns | undefined,
  file: string | undefined,
): Promise<ObservedInventory['dns'] | undefined> {
  if (spec.dns === undefined) return undefined;
  if (dns === undefined) {
    throw new DrainctlError(
      'DNS_PORT_MISSING',
      'the workflow has a dns block but no DNS adapter was given',
    );
  }
  const { domain, record, type } = spec.dns;
  const [records, minimumTtl, nameServers] = await Promise.all([
    dns.findRecords(domain, record, type),
    dns.minimumTtl(domain),
    dns.nameServers(domain),
  ]);
  const matching = records.filter(
    (candidate) =>
      candidate.type === type && candidate.rr === record && candidate.line === 'default',
  );
  if (matching.length > 1) {
    throw new InvalidInputError(
      `${file === undefined ? '' : `${file}: `}dns.record: ${record}.${domain} has ${matching.length} ${type} records; drainctl moves a name with exactly one`,
      {
        ...(file === undefined ? {} : { file }),
        path: 'dns.record',
        expected: `a name with at most one ${type} record on the default line`,
        found: `${matching.length} records (${matching.map((candidate) => candidate.value).join(', ')})`,
      },
    );
  }
  return {
    ...(matching[0] === undefined ? {} : { record: matching[0] }),
    minimumTtl,
    nameServers,
  };
}
