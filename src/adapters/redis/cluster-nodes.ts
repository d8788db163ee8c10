/**
 * `CLUSTER NODES` and `INFO` text as data. Pure. A line is
 * `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>…`, where a
 * slot is `n`, `a-b`, or an importing/migrating `[n-<-id]` / `[n->-id]` (not served: not counted).
 */
import type { RedisClusterNode, RedisNodeStatus } from '../../ports/index.js';

export function parseClusterNodes(text: string): RedisClusterNode[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', endpoint = '', flagText = '', master = '-', , , , link = '', ...slots] =
        line.split(' ');
      const flags = flagText.split(',');
      const address = endpoint.split('@')[0] ?? endpoint;
      const replica = flags.includes('slave');
      return {
        id,
        address,
        role: replica ? 'replica' : 'master',
        ...(replica && master !== '-' ? { masterId: master } : {}),
        slots: slots.reduce((sum, slot) => sum + slotCount(slot), 0),
        failing: flags.includes('fail') || flags.includes('fail?') || link !== 'connected',
      };
    });
}

function slotCount(slot: string): number {
  if (slot.startsWith('[')) return 0;
  const [from, to] = slot.split('-').map(Number);
  if (from === undefined || Number.isNaN(from)) return 0;
  return to === undefined ? 1 : to - from + 1;
}

/** `field:value` lines of INFO (or CLUSTER INFO) as a map. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

/** `CLUSTER MYID`, `INFO replication` and `CLUSTER INFO` of one node as its status. */
export function parseReplication(
  id: string,
  replication: string,
  clusterInfo: string,
): RedisNodeStatus {
  const fields = parseInfo(replication);
  const replica = fields.get('role') === 'slave';
  const host = fields.get('master_host');
  const port = fields.get('master_port');
  return {
    id,
    role: replica ? 'replica' : 'master',
    // A replica's own position is slave_repl_offset; master_repl_offset there is the same stream.
    offset: Number(fields.get(replica ? 'slave_repl_offset' : 'master_repl_offset') ?? 0),
    ...(replica && host !== undefined && port !== undefined
      ? { masterAddress: `${host}:${port}` }
      : {}),
    linkUp: fields.get('master_link_status') === 'up',
    syncInProgress: fields.get('master_sync_in_progress') === '1',
    clusterState: parseInfo(clusterInfo).get('cluster_state') ?? 'unknown',
  };
}
