/**
 * The one decision "does this drain filter leave any request to count as real traffic?", for
 * workflows (`drain.probe`) and `drainctl watch` alike. A filter that ignores every request
 * makes the drain pass at once while clients are still on the server, so it is refused however
 * it is spelled: one entry or several that only together match everything.
 *
 * The classifier ignores a request when its client address, its path, its user agent or its
 * method and URI (the listener's health check) matches. A request chooses each of these freely,
 * so a filter leaves one real request exactly when each rule alone leaves one: the address
 * ranges for every address family, the path patterns, the user agents (the health check matches
 * a single method, never all of them). The answer comes with such a request for each family, so
 * tests can show the classifier counting it.
 */
import { type AddressFamily, clientNoRangeHolds, notClientRanges } from './client-addresses.js';
import { pathNoPatternMatches } from './path-patterns.js';
import { userAgentNoEntryMatches } from './user-agents.js';

export type { AddressFamily } from './client-addresses.js';

export interface FilterRules {
  ignoreCidrs: readonly string[];
  ignorePaths?: readonly string[];
  ignoreUserAgents?: readonly string[];
  healthCheck?: { method: string; uri: string };
}

/** A request the filter counts as real. */
export interface RealRequest {
  client: string;
  method: string;
  path: string;
  userAgent: string;
}

/** An entry (`index`) or a whole list of entries that together ignore every request. */
export interface FilterBlocker {
  rule: 'ignoreCidrs' | 'ignorePaths' | 'ignoreUserAgents';
  index?: number;
  /** For `ignoreCidrs`: the address families whose every client is ignored. */
  families?: AddressFamily[];
  expected: string;
  found: string;
}

export type FilterJudgement =
  | { countsTraffic: true; examples: Record<AddressFamily, RealRequest> }
  | { countsTraffic: false; blockers: FilterBlocker[] };

const PASSES_AT_ONCE = 'every request would be ignored and the drain would pass at once';

export function judgeTrafficFilter(rules: FilterRules): FilterJudgement {
  const paths = rules.ignorePaths ?? [];
  const agents = rules.ignoreUserAgents ?? [];
  const clients = {
    4: clientNoRangeHolds(rules.ignoreCidrs, 4),
    6: clientNoRangeHolds(rules.ignoreCidrs, 6),
  };
  const path = pathNoPatternMatches(paths);
  const userAgent = userAgentNoEntryMatches(agents);
  if (
    clients[4] !== undefined &&
    clients[6] !== undefined &&
    path !== undefined &&
    userAgent !== undefined
  ) {
    const method = rules.healthCheck?.method.toUpperCase() === 'GET' ? 'POST' : 'GET';
    const request = (client: string): RealRequest => ({ client, method, path, userAgent });
    return { countsTraffic: true, examples: { 4: request(clients[4]), 6: request(clients[6]) } };
  }
  const blockers: FilterBlocker[] = [...cidrBlockers(rules.ignoreCidrs, clients)];
  if (path === undefined) {
    blockers.push(
      ...blockersOf('ignorePaths', paths, (entry) => pathNoPatternMatches([entry]) === undefined, {
        one: 'a path or a prefix like /static/* (this one matches every request)',
        together: `paths that leave some requests counted (together these match every path: ${PASSES_AT_ONCE})`,
      }),
    );
  }
  if (userAgent === undefined) {
    blockers.push(
      ...blockersOf(
        'ignoreUserAgents',
        agents,
        (entry) => userAgentNoEntryMatches([entry]) === undefined,
        {
          one: `a non-empty user-agent substring (an empty one is in every user agent: ${PASSES_AT_ONCE})`,
          together: `user agents that leave some requests counted (every user agent contains one of these: ${PASSES_AT_ONCE})`,
        },
      ),
    );
  }
  return { countsTraffic: false, blockers };
}

function cidrBlockers(
  cidrs: readonly string[],
  clients: Record<AddressFamily, string | undefined>,
): FilterBlocker[] {
  const blocked = ([4, 6] as const).filter((family) => clients[family] === undefined);
  if (blocked.length === 0) return [];
  /** Entries that hold every client of a family alone, with the families they hold. */
  const alone = new Map<number, AddressFamily[]>();
  const together: AddressFamily[] = [];
  for (const family of blocked) {
    const indexes = cidrs.flatMap((text, index) =>
      clientNoRangeHolds([text], family) === undefined ? [index] : [],
    );
    if (indexes.length === 0) together.push(family);
    for (const index of indexes) alone.set(index, [...(alone.get(index) ?? []), family]);
  }
  const blockers: FilterBlocker[] = [...alone].map(([index, families]) => ({
    rule: 'ignoreCidrs',
    index,
    families,
    expected: `a narrower range (this one holds every ${familyNames(families)} client: ${PASSES_AT_ONCE})`,
    found: cidrs[index] ?? '',
  }));
  for (const family of together) {
    blockers.push({
      rule: 'ignoreCidrs',
      families: [family],
      expected: `ranges that leave some IPv${family} clients counted (together these hold every IPv${family} address but ${listed(notClientRanges(family))}, which no IPv${family} client comes from: ${PASSES_AT_ONCE})`,
      found: cidrs.join(', '),
    });
  }
  return blockers;
}

function blockersOf(
  rule: FilterBlocker['rule'],
  entries: readonly string[],
  matchesAllAlone: (entry: string) => boolean,
  expected: { one: string; together: string },
): FilterBlocker[] {
  const alone = entries.flatMap((entry, index) => (matchesAllAlone(entry) ? [index] : []));
  if (alone.length > 0) {
    return alone.map((index) => ({
      rule,
      index,
      expected: expected.one,
      found: JSON.stringify(entries[index]),
    }));
  }
  return [{ rule, expected: expected.together, found: describeEntries(entries) }];
}

/** `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function familyNames(families: readonly AddressFamily[]): string {
  return families.map((family) => `IPv${family}`).join(' and ');
}

/** `"/", "/a*", "/b*"`, or the first few and how many there are. */
function describeEntries(entries: readonly string[]): string {
  const shown = entries.slice(0, 4).map((entry) => JSON.stringify(entry));
  return entries.length <= 4
    ? shown.join(', ')
    : `${shown.join(', ')}, … (${entries.length} in all)`;
}
