/**
 * Request parameters of the SLB actions SlbClient sends, and their encoding into the query:
 * RPC style, every value a string, lists flattened (`Tag.1.Key`), BackendServers as a JSON array
 * string (docs/aliyun.md, "SLB requests and answers"). Pure.
 */

export type QueryValue = string | number | boolean | undefined;

export interface CreateLoadBalancerParams {
  name: string;
  addressType: 'internet' | 'intranet';
  clientToken: string;
  spec?: string;
  vpcId?: string;
  vSwitchId?: string;
  masterZoneId?: string;
  slaveZoneId?: string;
  bandwidth?: number;
  internetChargeType?: string;
  deleteProtection?: boolean;
  tags?: Record<string, string>;
}

export interface DescribeLoadBalancersFilter {
  /** At most 10 per call (the API's limit). */
  loadBalancerIds?: string[];
  name?: string;
  tags?: Record<string, string>;
  serverId?: string;
  pageNumber?: number;
  pageSize?: number;
}

/** One entry of the BackendServers JSON parameter. */
export interface BackendServerParam {
  serverId: string;
  weight?: number;
  type?: string;
  /** The ENI's or elastic container instance's IP (the models' examples always carry one). */
  serverIp?: string;
  port?: number;
  description?: string;
}

/** `[{"ServerId":"i-x","Weight":"100","Type":"ecs"}]`: values as strings, as the API documents. */
export function backendServersParam(servers: BackendServerParam[]): string {
  return JSON.stringify(
    servers.map((s) => {
      const entry: Record<string, string> = { ServerId: s.serverId };
      if (s.weight !== undefined) entry.Weight = String(s.weight);
      entry.Type = s.type ?? 'ecs';
      if (s.serverIp !== undefined && entry.Type !== 'ecs') entry.ServerIp = s.serverIp;
      if (s.port !== undefined) entry.Port = String(s.port);
      if (s.description !== undefined) entry.Description = s.description;
      return entry;
    }),
  );
}

/** `Tag.1.Key=k&Tag.1.Value=v…` */
export function tagParams(tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  Object.entries(tags ?? {}).forEach(([key, value], index) => {
    out[`Tag.${index + 1}.Key`] = key;
    out[`Tag.${index + 1}.Value`] = value;
  });
  return out;
}

/** Drop unset values; numbers and booleans as the API's text ("true"/"false"). */
export function toQuery(params: Record<string, QueryValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) out[key] = String(value);
  }
  return out;
}
