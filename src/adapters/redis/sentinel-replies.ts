/**
 * Sentinel's replies as data. Pure. `SENTINEL MASTER` answers a flat list of field, value, …;
 * `SENTINEL REPLICAS` and `SENTINEL SENTINELS` a list of such lists.
 */

/** A flat `[field, value, field, value, …]` reply as a map. */
export function parseFieldList(reply: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  if (!Array.isArray(reply)) return fields;
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), String(reply[i + 1]));
  return fields;
}

/** A list of flat field lists, each as a map. */
export function parseFieldLists(reply: unknown): Array<Map<string, string>> {
  return Array.isArray(reply) ? reply.map(parseFieldList) : [];
}

/** `ip:port` of a SENTINEL MASTER/REPLICAS entry. */
export function entryAddress(entry: Map<string, string>): string {
  return `${entry.get('ip') ?? '?'}:${entry.get('port') ?? '?'}`;
}

/** The sentinels judge it down, or have lost their link to it. */
export function flaggedDown(entry: Map<string, string>): boolean {
  const flags = (entry.get('flags') ?? '').split(',');
  return flags.includes('s_down') || flags.includes('o_down') || flags.includes('disconnected');
}
