/**
 * Tags of load balancers, through both API generations: AddTags/RemoveTags/DescribeTags (JSON
 * `Tags`) and TagResources/UntagResources/ListTagResources (`Tag.N`, ResourceType=instance).
 */
import type { EmulatorContext } from '../emulator/context.js';
import { ApiError, InvalidParameter, MissingParameter } from '../server/api-error.js';
import type { Params, TagPair } from '../server/params.js';
import type { Handler } from '../server/product.js';
import type { LoadBalancer } from './store.js';
import { jsonTags } from './tag-params.js';

const MAX_TAGS_PER_RESOURCE = 20;

function addTags(loadBalancer: LoadBalancer, tags: TagPair[]): void {
  const keys = new Set([...loadBalancer.tags.keys(), ...tags.map((tag) => tag.key)]);
  if (keys.size > MAX_TAGS_PER_RESOURCE)
    throw new ApiError('TagCountLimit', 'Tags count limit exceeded.');
  for (const { key, value } of tags) loadBalancer.tags.set(key, value);
}

function resources(params: Params, ctx: EmulatorContext): LoadBalancer[] {
  const type = params.required('ResourceType');
  if (type !== 'instance') throw new InvalidParameter('ResourceType', 'Valid values: instance.');
  return params.list('ResourceId').map((id) => ctx.slb.get(id));
}

const AddTags: Handler<EmulatorContext> = ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  const tags = jsonTags(params);
  if (tags.length === 0) throw new MissingParameter('Tags');
  if (tags.length > 10) throw new InvalidParameter('Tags', 'At most 10 tags per call.');
  addTags(loadBalancer, tags);
  return {};
};

const RemoveTags: Handler<EmulatorContext> = ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  for (const { key } of jsonTags(params)) loadBalancer.tags.delete(key);
  return {};
};

const DescribeTags: Handler<EmulatorContext> = ({ params, ctx }) => {
  const id = params.string('LoadBalancerId');
  const balancers = id ? [ctx.slb.get(id)] : [...ctx.slb.loadBalancers.values()];
  const wanted = jsonTags(params);
  const distinctKey = params.bool('DistinctKey') === true;
  const counts = new Map<string, { key: string; value: string; count: number }>();
  for (const loadBalancer of balancers) {
    for (const [key, value] of loadBalancer.tags) {
      if (
        wanted.length > 0 &&
        !wanted.some((tag) => tag.key === key && (!tag.value || tag.value === value))
      )
        continue;
      const id = distinctKey ? key : `${key}\u0000${value}`;
      const entry = counts.get(id) ?? { key, value: distinctKey ? '' : value, count: 0 };
      entry.count += 1;
      counts.set(id, entry);
    }
  }
  const pageNumber = params.int('PageNumber', { min: 1 }) ?? 1;
  const pageSize = params.int('PageSize', { min: 1, max: 100 }) ?? 50;
  const all = [...counts.values()];
  return {
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: all.length,
    TagSets: {
      TagSet: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((entry) => ({
        TagKey: entry.key,
        TagValue: entry.value,
        InstanceCount: entry.count,
      })),
    },
  };
};

const TagResources: Handler<EmulatorContext> = ({ params, ctx }) => {
  const tags = params.tags('Tag');
  if (tags.length === 0) throw new MissingParameter('Tag.1.Key');
  for (const loadBalancer of resources(params, ctx)) addTags(loadBalancer, tags);
  return {};
};

const UntagResources: Handler<EmulatorContext> = ({ params, ctx }) => {
  const keys = params.list('TagKey');
  const all = params.bool('All') === true;
  for (const loadBalancer of resources(params, ctx)) {
    if (all) loadBalancer.tags.clear();
    for (const key of keys) loadBalancer.tags.delete(key);
  }
  return {};
};

const ListTagResources: Handler<EmulatorContext> = ({ params, ctx }) => {
  const ids = params.list('ResourceId');
  const type = params.required('ResourceType');
  if (type !== 'instance') throw new InvalidParameter('ResourceType', 'Valid values: instance.');
  const balancers =
    ids.length > 0 ? ids.map((id) => ctx.slb.get(id)) : [...ctx.slb.loadBalancers.values()];
  const wanted = params.tags('Tag');
  const rows = balancers
    .filter((lb) =>
      wanted.every(({ key, value }) => lb.tags.has(key) && (!value || lb.tags.get(key) === value)),
    )
    .flatMap((lb) =>
      [...lb.tags].map(([TagKey, TagValue]) => ({
        ResourceType: 'instance',
        ResourceId: lb.id,
        TagKey,
        TagValue,
      })),
    );
  return { NextToken: '', TagResources: { TagResource: rows } };
};

export const tagHandlers: Record<string, Handler<EmulatorContext>> = {
  AddTags,
  RemoveTags,
  DescribeTags,
  TagResources,
  UntagResources,
  ListTagResources,
};
