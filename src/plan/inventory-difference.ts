/**
 * A difference between the topology `inventory` expects and the one observed, and the rules the
 * Redis modes share to find one. Pure.
 */

export interface InventoryDifference {
  path: Array<string | number>;
  expected: string;
  found: string;
}

export const EXPECT = ['inventory', 'redis', 'expect'] as const;

/** The nodes below `least` (or not telling their version), as a difference; undefined if none. */
export function olderThan(
  least: string | undefined,
  nodes: ReadonlyArray<{ address: string; version?: string }>,
): InventoryDifference | undefined {
  if (least === undefined) return undefined;
  const older = nodes.filter(
    (n) => n.version === undefined || compareVersions(n.version, least) < 0,
  );
  if (older.length === 0) return undefined;
  return {
    path: [...EXPECT, 'minVersion'],
    expected: `redis ${least} or newer on every node`,
    found: older.map((n) => `${n.address} ${n.version ?? 'not answering'}`).join(', '),
  };
}

/** Numeric comparison of dotted versions; missing parts are 0 (`7.0` = `7.0.0`). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const d = (left[i] ?? 0) - (right[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Nodes by address, for a difference's `found`. */
export function addresses(nodes: ReadonlyArray<{ address: string }>): string {
  return nodes.map((n) => n.address).join(', ') || 'none';
}
