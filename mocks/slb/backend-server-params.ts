/**
 * The BackendServers parameter of Add/Set/RemoveBackendServers and the vServer group actions: one
 * JSON array string, at most 20 entries, Weight 0–100 as a string or number (default 100).
 * Duplicates in one request: the first wins (API reference).
 */
import { InvalidParameter, MissingParameter } from '../server/api-error.js';
import type { Params } from '../server/params.js';
import {
  BackendServersMalformed,
  InvalidWeightMalformed,
  TooManyBackendServers,
} from './errors.js';

export const MAX_SERVERS_PER_CALL = 20;

export interface RequestedServer {
  serverId: string;
  weight: number;
  type: string;
  description?: string;
  port?: number;
}

export function parseBackendServers(
  params: Params,
  options: { name?: string; requirePort?: boolean } = {},
): RequestedServer[] {
  const name = options.name ?? 'BackendServers';
  if (!params.string(name)) throw new MissingParameter(name);
  let raw: unknown;
  try {
    raw = JSON.parse(params.string(name) ?? '');
  } catch {
    throw new BackendServersMalformed('It must be a JSON array.');
  }
  if (!Array.isArray(raw)) throw new BackendServersMalformed('It must be a JSON array.');
  if (raw.length > MAX_SERVERS_PER_CALL) throw new TooManyBackendServers();
  const seen = new Set<string>();
  const servers: RequestedServer[] = [];
  for (const item of raw) {
    const server = parseOne(item, options.requirePort === true);
    const key = options.requirePort ? `${server.serverId}:${server.port}` : server.serverId;
    if (seen.has(key)) continue;
    seen.add(key);
    servers.push(server);
  }
  return servers;
}

function parseOne(item: unknown, requirePort: boolean): RequestedServer {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new BackendServersMalformed('Each entry must be an object.');
  }
  const entry = item as Record<string, unknown>;
  if (typeof entry.ServerId !== 'string' || entry.ServerId === '') {
    throw new BackendServersMalformed('Each entry needs a ServerId.');
  }
  const server: RequestedServer = {
    serverId: entry.ServerId,
    weight: parseWeight(entry.Weight),
    type: typeof entry.Type === 'string' && entry.Type !== '' ? entry.Type : 'ecs',
  };
  if (typeof entry.Description === 'string' && entry.Description !== '') {
    server.description = entry.Description;
  }
  const port = entry.Port === undefined ? undefined : Number(entry.Port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new InvalidParameter(
      'BackendServers',
      'The specified BackendServers is invalid, as the Port value should be in [1, 65535].',
    );
  }
  if (requirePort && port === undefined) {
    throw new InvalidParameter('BackendServers', 'Each server of a vServer group needs a Port.');
  }
  if (port !== undefined) server.port = port;
  return server;
}

function parseWeight(value: unknown): number {
  if (value === undefined || value === '') return 100;
  const weight =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(weight) || weight < 0 || weight > 100)
    throw new InvalidWeightMalformed(value);
  return weight;
}
