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

/** What one sentinel says about a master: the master it names, and its replicas as it sees them. */
export interface SentinelView {
  sentinel: string;
  named: string;
  replicas: Array<Map<string, string>>;
}

/**
 * Why a failover of `master` must wait, or undefined when every sentinel that answered agrees:
 * each names `master`, and none sees a replica (not judged down) reporting another role than
 * replica. A sentinel that last saw a replica report itself a master (one restarted a moment
 * ago) "corrects" it to a replica at its next look, up to ten seconds later; if that lands after
 * the failover's leader promoted it, the promotion is undone and the failover times out, with
 * the old master's writes paused all the while.
 */
export function sentinelsUnsettled(
  views: readonly SentinelView[],
  master: string,
): string | undefined {
  for (const view of views) {
    if (view.named !== master) return `sentinel ${view.sentinel} names ${view.named} master`;
    for (const replica of view.replicas) {
      const role = replica.get('role-reported') ?? 'slave';
      if (role !== 'slave' && !flaggedDown(replica)) {
        return `sentinel ${view.sentinel} last saw ${entryAddress(replica)} report itself ${role}`;
      }
    }
  }
  return undefined;
}

/**
 * Whether a master's writes, paused by a failover whose process died before `SENTINEL FAILOVER`
 * took effect, may be released at once: every sentinel answered `SENTINEL MASTER` (`undefined`:
 * one did not), each names `master`, and none has a failover of it under way. A sentinel sets
 * `failover_in_progress` as it takes the command, so one the dead process sent shows by the time
 * a resume asks; a sentinel that cannot be asked might hold one, and then the pause runs out.
 */
export function noFailoverUnderWay(
  masters: ReadonlyArray<Map<string, string> | undefined>,
  master: string,
): boolean {
  return (
    masters.length > 0 &&
    masters.every(
      (entry) =>
        entry !== undefined &&
        entryAddress(entry) === master &&
        !(entry.get('flags') ?? '').split(',').includes('failover_in_progress'),
    )
  );
}
