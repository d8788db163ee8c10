/**
 * `carryOver: true`: the servers a closed window kept a run from reaching go first next time.
 */

/**
 * The next run's node order: the nodes in `notReached` first, then the others, each group in
 * the order of `planNodeIds`. A node no longer in the plan (taken out of the fleet since) is
 * dropped; a node listed twice appears once.
 *
 * @example carryOverOrder(['a', 'b', 'c', 'd'], ['d', 'c']) // ['c', 'd', 'a', 'b']
 */
export function carryOverOrder(
  planNodeIds: readonly string[],
  notReached: readonly string[],
): string[] {
  const first = new Set(notReached);
  const unique = [...new Set(planNodeIds)];
  return [...unique.filter((id) => first.has(id)), ...unique.filter((id) => !first.has(id))];
}
