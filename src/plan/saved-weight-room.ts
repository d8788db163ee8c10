/**
 * Room on the balancer for the tags a run sets: its lock, and one saved weight per server out
 * of service (at most `maxUnavailable` at once, a server whose weight is saved already reusing
 * its tag). A balancer takes a limited number of tags, and a drain whose weight cannot be saved
 * does not happen; so a plan that could not fit them is refused up front, naming the numbers,
 * rather than halting mid-run.
 */
import type { Budget } from './budget.js';
import type { FleetNode } from './fleet.js';
import type { PlanContext } from './plan-context.js';
import {
  LOCK_TAG_KEY,
  MAX_TAG_KEY_LENGTH,
  SAVED_WEIGHT_TAG_PREFIX,
  savedWeightKey,
  TAGS_PER_BALANCER,
} from './saved-weight-tag.js';

export function checkSavedWeightRoom(
  ctx: PlanContext,
  nodes: readonly FleetNode[],
  budget: Budget,
): void {
  const rollout = nodes.filter((node) => node.atZero?.action !== 'leave');
  for (const node of rollout) {
    if (savedWeightKey(node.id).length > MAX_TAG_KEY_LENGTH) {
      ctx.problems.add(
        node.path,
        `an instance id of at most ${MAX_TAG_KEY_LENGTH - SAVED_WEIGHT_TAG_PREFIX.length} characters (its weight is saved on the balancer as the tag ${SAVED_WEIGHT_TAG_PREFIX}<id>, and tag keys take ${MAX_TAG_KEY_LENGTH})`,
        node.id,
      );
    }
  }
  const existing = Object.keys(ctx.balancer.tags);
  const taken = new Set([...existing, LOCK_TAG_KEY]);
  const fresh = rollout.filter((node) => !taken.has(savedWeightKey(node.id))).length;
  const room = TAGS_PER_BALANCER - taken.size;
  const needed = Math.min(budget.maxUnavailable, fresh);
  if (needed <= room) return;
  const carries = `${ctx.balancer.label} ${ctx.balancer.exists ? 'carries' : 'is created with'} ${existing.length} tag(s)${existing.includes(LOCK_TAG_KEY) ? '' : ` and the run's lock takes one (${LOCK_TAG_KEY})`}; a balancer takes ${TAGS_PER_BALANCER}, and each server out of service keeps its weight in a tag of its own until it is back`;
  if (room < 1) {
    ctx.problems.add(
      ctx.balancer.exists ? ['loadBalancer', 'id'] : ['loadBalancer', 'create', 'tags'],
      `a balancer with room for the weight of a server out of service: ${carries}`,
      `${existing.length} tags (${existing.join(', ')}): remove some`,
    );
    return;
  }
  ctx.problems.add(
    ['rollout', 'maxUnavailable'],
    `at most ${room} server(s) out at once: ${carries}`,
    `${budget.maxUnavailable}`,
  );
}
