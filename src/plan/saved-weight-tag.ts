/**
 * Where a server goes back to, kept on the balancer while the server is out of service: a tag
 * `drainctl-weight-<instance id>` = `<weight>;run=<run id>;at=<ISO time>`, set before its drain
 * and removed once it is back at that weight. A run from any directory or host reads it there,
 * like the lock tag, so a server a run left at weight 0 (a crash, a lost journal, another
 * DRAINCTL_HOME) goes back to its weight instead of staying at 0 for good. The planner reads
 * these tags; the engine writes and removes them (src/engine/steps/saved-weight.ts).
 *
 * Limits (Alibaba Cloud tags): key ≤ 64 characters, value ≤ 128. AddTags documents at most 10
 * tags per balancer (TagResources says 20): drainctl plans with the lower figure.
 */
import type { SavedWeight } from './types.js';

export const SAVED_WEIGHT_TAG_PREFIX = 'drainctl-weight-';
/** The tag that locks a balancer for one run (src/engine/lock/balancer-tag.ts). */
export const LOCK_TAG_KEY = 'drainctl-lock';
export const MAX_TAG_KEY_LENGTH = 64;
/** Tags one balancer may carry, as AddTags documents it (docs/aliyun.md). */
export const TAGS_PER_BALANCER = 10;

export function savedWeightKey(serverId: string): string {
  return `${SAVED_WEIGHT_TAG_PREFIX}${serverId}`;
}

/** `100;run=r-20261121-020000-1a2b;at=2026-11-21T02:00:01.000Z` */
export function formatSavedWeight(saved: SavedWeight): string {
  const run = saved.runId === undefined ? '' : `;run=${saved.runId}`;
  const at = saved.at === undefined ? '' : `;at=${saved.at}`;
  return `${saved.weight}${run}${at}`;
}

/** A weight from 1 to 100, optionally followed by `;run=…` and `;at=…`; anything else is not one. */
export function parseSavedWeight(value: string): SavedWeight | undefined {
  const [head = '', ...fields] = value.trim().split(';');
  if (!/^\d{1,3}$/.test(head)) return undefined;
  const weight = Number(head);
  if (weight < 1 || weight > 100) return undefined;
  const saved: SavedWeight = { weight };
  for (const field of fields) {
    const at = field.indexOf('=');
    const key = field.slice(0, at).trim();
    const text = field.slice(at + 1).trim();
    if (at < 0 || text === '') continue;
    if (key === 'run') saved.runId = text;
    if (key === 'at') saved.at = text;
  }
  return saved;
}

/** The saved weights among a balancer's tags, by server id (unreadable values are left out). */
export function savedWeightsFromTags(tags: Record<string, string>): Map<string, SavedWeight> {
  const found = new Map<string, SavedWeight>();
  for (const [key, value] of Object.entries(tags)) {
    if (!key.startsWith(SAVED_WEIGHT_TAG_PREFIX)) continue;
    const saved = parseSavedWeight(value);
    if (saved !== undefined) found.set(key.slice(SAVED_WEIGHT_TAG_PREFIX.length), saved);
  }
  return found;
}

/** "run r-… saved weight 100 before draining it (at …)", or the tag's bare word. */
export function describeSavedWeight(serverId: string, saved: SavedWeight): string {
  if (saved.runId === undefined) {
    return `its tag ${savedWeightKey(serverId)} on the balancer says ${saved.weight}`;
  }
  return `run ${saved.runId} saved weight ${saved.weight} before draining it${saved.at === undefined ? '' : ` (${saved.at})`}`;
}
