/**
 * Turns a topology file or object into a validated Topology, or an error that names the file,
 * the path inside it, what was expected and what was found.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { defaultTopology } from './default-topology.js';
import { generateFleet } from './generated-fleet.js';
import { instanceSchema, type Topology, type TopologyInput, topologySchema } from './schema.js';

export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

/** Reads and validates a YAML (or JSON) topology file. */
export function loadTopologyFile(file: string): Topology {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TopologyError(`topology ${file}: cannot read it (${(error as Error).message})`);
  }
  let input: unknown;
  try {
    input = parseYaml(text);
  } catch (error) {
    throw new TopologyError(`topology ${file}: not valid YAML (${(error as Error).message})`);
  }
  return parseTopology(input, file);
}

/**
 * Topologies parseTopology returned: handed back as they are, since parsing one again would
 * generate its fleet a second time.
 */
const resolved = new WeakSet<Topology>();

/** Validates a topology given as data; `source` names it in error messages. */
export function parseTopology(input: unknown = defaultTopology, source = 'topology'): Topology {
  const result = topologySchema.safeParse(input);
  if (!result.success) throw new TopologyError(describeIssues(result.error, input, source));
  const parsed = result.data;
  const zone = parsed.zone ?? `${parsed.region}-h`;
  const fleet =
    parsed.fleet === undefined ? undefined : generateFleet(parsed.fleet, parsed.appPort);
  const generated = (fleet?.instances ?? []).map((instance) => instanceSchema.parse(instance));
  const topology: Topology = {
    ...parsed,
    zone,
    balancers: [
      ...parsed.balancers.map((balancer) => ({
        ...balancer,
        name: balancer.name ?? balancer.id,
        vServerGroups: balancer.vServerGroups.map((group) => ({
          ...group,
          name: group.name ?? group.id,
        })),
      })),
      ...(fleet?.balancers ?? []),
    ],
    instances: [...parsed.instances, ...generated].map((instance) => ({
      ...instance,
      name: instance.name ?? instance.id,
      hostname: instance.hostname ?? instance.name ?? instance.id,
      zone: instance.zone ?? zone,
    })),
  };
  checkReferences(topology, source);
  resolved.add(topology);
  return topology;
}

export function resolveTopology(input: TopologyInput | Topology | string | undefined): Topology {
  if (typeof input === 'string') return loadTopologyFile(input);
  if (input !== undefined && resolved.has(input as Topology)) return input as Topology;
  return parseTopology(input ?? defaultTopology);
}

function checkReferences(topology: Topology, source: string): void {
  const ids = new Set<string>();
  topology.instances.forEach((instance, index) => {
    if (ids.has(instance.id)) {
      throw new TopologyError(
        `${source}: instances[${index}].id: expected a unique instance id, found a second "${instance.id}"`,
      );
    }
    ids.add(instance.id);
  });
  topology.balancers.forEach((balancer, b) => {
    const servers = [
      ...balancer.backends.map((server, i) => ({ server, path: `backends[${i}]` })),
      ...balancer.vServerGroups.flatMap((group, g) =>
        group.servers.map((server, i) => ({
          server,
          path: `vServerGroups[${g}].servers[${i}]`,
        })),
      ),
    ];
    for (const { server, path } of servers) {
      if (!ids.has(server.serverId)) {
        throw new TopologyError(
          `${source}: balancers[${b}].${path}.serverId: expected one of the instances, found "${server.serverId}"`,
        );
      }
    }
  });
  topology.domains.forEach((domain, d) => {
    domain.records.forEach((record, r) => {
      if (record.instance !== undefined && !ids.has(record.instance)) {
        throw new TopologyError(
          `${source}: domains[${d}].records[${r}].instance: expected one of ${[...ids].join(', ')}, found "${record.instance}"`,
        );
      }
    });
  });
}

function describeIssues(error: z.ZodError, input: unknown, source: string): string {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path
      .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
      .join('')
      .replace(/^\./, '');
    const found = valueAt(input, issue.path);
    return `${source}: ${path || '(root)'}: ${issue.message}${found === undefined ? '' : `, found ${JSON.stringify(found)}`}`;
  });
  return lines.join('\n');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
