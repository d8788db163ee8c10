/**
 * Tags as SLB requests carry them: `Tag.N.Key`/`Tag.N.Value` (CreateLoadBalancer,
 * DescribeLoadBalancers, TagResources) or the older `Tags` JSON string
 * `[{"TagKey":"k","TagValue":"v"}]` (AddTags, DescribeTags, DescribeLoadBalancers).
 */
import { InvalidParameter } from '../server/api-error.js';
import type { Params, TagPair } from '../server/params.js';

export function jsonTags(params: Params, name = 'Tags'): TagPair[] {
  const raw = params.json(name);
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw new InvalidParameter(name, 'A JSON array of {TagKey, TagValue} is expected.');
  return raw.map((item) => {
    const entry = (item ?? {}) as Record<string, unknown>;
    if (typeof entry.TagKey !== 'string' || entry.TagKey === '') {
      throw new InvalidParameter(name, 'Each tag needs a TagKey.');
    }
    return { key: entry.TagKey, value: typeof entry.TagValue === 'string' ? entry.TagValue : '' };
  });
}

/** Both spellings together. */
export function requestedTags(params: Params): TagPair[] {
  return [...params.tags('Tag'), ...jsonTags(params)];
}
