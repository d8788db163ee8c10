/**
 * Fleet discovery, read-only: the servers a fleet workflow selects (by ids, by ECS tags, or every
 * ECS backend of balancers by ids or tags), then every balancer of the region each of them is
 * attached to (DescribeLoadBalancers by ServerId) with its default server group, vServer groups
 * and master-slave groups. The planner's survey turns this into each server's attachments.
 */
import { DrainctlError } from '../errors/index.js';
import type { ObservedFleet, ObservedFleetBalancer } from '../plan/index.js';
import type { Clock, Host, InstanceInfo, LoadBalancer, ServerAttachments } from '../ports/index.js';
import type { FleetWorkflowSpec } from '../workflow/index.js';

/** DescribeInstances takes at most 100 ids per call. */
const DESCRIBE_BATCH = 100;
/**
 * Reads in flight at once: the per-action rate limiter keeps within the quota; this keeps a
 * thousand-server discovery from opening a thousand sockets at once.
 */
const READS_IN_FLIGHT = 16;

export interface FleetPorts {
  loadBalancer: LoadBalancer;
  attachments: ServerAttachments;
  host: Host;
  /** For `observedAt`; default: the system clock. */
  clock?: Pick<Clock, 'now'>;
}

/**
 * @example const observed = await observeFleet(spec, createCloudPorts(options));
 */
export async function observeFleet(
  spec: FleetWorkflowSpec,
  ports: FleetPorts,
): Promise<ObservedFleet> {
  const observedAt = new Date(ports.clock?.now() ?? Date.now()).toISOString();
  const balancer = balancerReader(ports);
  const named = await namedBalancers(spec, ports);
  const instances = await selectedInstances(spec, ports, named, balancer);
  const serving = await inFlight(instances, (instance) =>
    ports.attachments.balancersServing(instance.id),
  );
  const ids = [...new Set([...named, ...serving.flat()].map((lb) => lb.id))].sort();
  const balancers = await inFlight(ids, balancer);
  return { observedAt, region: spec.region, instances, balancers };
}

/** Each balancer with its groups, read once however many servers lead to it. */
function balancerReader(ports: FleetPorts): (id: string) => Promise<ObservedFleetBalancer> {
  const read = new Map<string, Promise<ObservedFleetBalancer>>();
  return (id) => {
    let reading = read.get(id);
    if (reading === undefined) {
      reading = Promise.all([
        ports.loadBalancer.describe(id),
        ports.attachments.vServerGroups(id),
        ports.attachments.masterSlaveGroups(id),
      ]).then(([info, vServerGroups, masterSlaveGroups]) => ({
        id,
        name: info.name,
        address: info.address,
        tags: info.tags,
        backends: info.backends,
        vServerGroups,
        masterSlaveGroups,
      }));
      read.set(id, reading);
    }
    return reading;
  };
}

/** The balancers `backends.balancers` names (by ids or tags); none for the other selectors. */
async function namedBalancers(spec: FleetWorkflowSpec, ports: FleetPorts) {
  const selector = spec.backends.balancers;
  if (selector === undefined) return [];
  if (selector.tags !== undefined) return ports.attachments.balancersTagged(selector.tags);
  const found = await inFlight(selector.ids ?? [], async (id) => {
    try {
      return [await ports.loadBalancer.describe(id)];
    } catch (error) {
      // The survey names a balancer that is not there as invalid input, with its path.
      if (error instanceof DrainctlError && error.code === 'LOAD_BALANCER_NOT_FOUND') return [];
      throw error;
    }
  });
  return found.flat();
}

async function selectedInstances(
  spec: FleetWorkflowSpec,
  ports: FleetPorts,
  named: Array<{ id: string }>,
  balancer: (id: string) => Promise<ObservedFleetBalancer>,
): Promise<InstanceInfo[]> {
  const { backends } = spec;
  if (backends.tags !== undefined) return ports.host.findByTags(backends.tags);
  let ids: string[];
  if (backends.instances !== undefined) {
    ids = backends.instances.map((entry) => (typeof entry === 'string' ? entry : entry.id));
  } else {
    const members = await inFlight(named, async (lb) => {
      const observed = await balancer(lb.id);
      return [
        ...observed.backends,
        ...observed.vServerGroups.flatMap((group) => group.members),
        ...observed.masterSlaveGroups.flatMap((group) => group.members),
      ]
        .filter((member) => (member.type ?? 'ecs') === 'ecs')
        .map((member) => member.serverId);
    });
    ids = members.flat();
  }
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let start = 0; start < unique.length; start += DESCRIBE_BATCH) {
    chunks.push(unique.slice(start, start + DESCRIBE_BATCH));
  }
  const found = (await Promise.all(chunks.map((chunk) => ports.host.describe(chunk)))).flat();
  // In selection order (ids as listed, members by balancer), whatever order the API answered in.
  const byId = new Map(found.map((instance) => [instance.id, instance]));
  return unique.flatMap((id) => byId.get(id) ?? []);
}

/** `work` on each item, at most READS_IN_FLIGHT at a time; results in the items' order. */
async function inFlight<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, items.length) }, worker));
  return results;
}
