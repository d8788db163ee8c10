/**
 * DescribeInstances, DescribeInstanceStatus and RebootInstance. Statuses are the world's:
 * a reboot goes Running → Stopping → Starting → Running there, and these calls report it.
 */
import type { EmulatorContext } from '../emulator/context.js';
import { InvalidParameter } from '../server/api-error.js';
import type { Params } from '../server/params.js';
import type { Handler } from '../server/product.js';
import { DryRunOperation, IncorrectInstanceStatus, InvalidInstanceIdsMalformed } from './errors.js';
import { instanceView } from './instance-views.js';
import type { EcsInstance } from './store.js';

function jsonIdList(params: Params, name: string, max: number): string[] | undefined {
  if (!params.string(name)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(params.string(name) ?? '');
  } catch {
    throw new InvalidInstanceIdsMalformed();
  }
  if (!Array.isArray(raw) || raw.some((id) => typeof id !== 'string') || raw.length > max) {
    throw new InvalidInstanceIdsMalformed();
  }
  return raw as string[];
}

function nameMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(name);
}

function page<T>(items: T[], params: Params, maxPageSize: number) {
  const pageNumber = params.int('PageNumber', { min: 1 }) ?? 1;
  const pageSize = params.int('PageSize', { min: 1, max: maxPageSize }) ?? 10;
  return {
    pageNumber,
    pageSize,
    items: items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
  };
}

const DescribeInstances: Handler<EmulatorContext> = ({ params, ctx }) => {
  const ids = jsonIdList(params, 'InstanceIds', 100);
  const privateIps = jsonIdList(params, 'PrivateIpAddresses', 100);
  const name = params.string('InstanceName');
  const status = params.string('Status');
  const tags = params.tags('Tag');
  const matching = [...ctx.ecs.instances.values()].filter((instance: EcsInstance) => {
    if (ids && !ids.includes(instance.id)) return false;
    if (privateIps && !privateIps.includes(instance.privateIp)) return false;
    if (name && !nameMatches(name, instance.name)) return false;
    if (status && ctx.ecs.status(instance.id) !== status) return false;
    if (params.string('ZoneId') && params.string('ZoneId') !== instance.zone) return false;
    if (params.string('VpcId') && params.string('VpcId') !== instance.vpcId) return false;
    return tags.every(
      ({ key, value }) => key in instance.tags && (!value || instance.tags[key] === value),
    );
  });
  const { pageNumber, pageSize, items } = page(matching, params, 100);
  return {
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: matching.length,
    NextToken: '',
    Instances: {
      Instance: items.map((instance) =>
        instanceView(instance, ctx.ecs.status(instance.id) ?? 'Stopped'),
      ),
    },
  };
};

const DescribeInstanceStatus: Handler<EmulatorContext> = ({ params, ctx }) => {
  const ids = params.list('InstanceId');
  if (ids.length > 100) throw new InvalidParameter('InstanceId', 'At most 100 instances.');
  const matching = [...ctx.ecs.instances.values()].filter(
    (instance) =>
      (ids.length === 0 || ids.includes(instance.id)) &&
      (!params.string('ZoneId') || params.string('ZoneId') === instance.zone),
  );
  const { pageNumber, pageSize, items } = page(matching, params, 50);
  return {
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: matching.length,
    InstanceStatuses: {
      InstanceStatus: items.map((instance) => ({
        InstanceId: instance.id,
        Status: ctx.ecs.status(instance.id) ?? 'Stopped',
      })),
    },
  };
};

const RebootInstance: Handler<EmulatorContext> = ({ params, ctx }) => {
  const instance = ctx.ecs.get(params.required('InstanceId'));
  params.bool('ForceStop');
  const status = ctx.ecs.status(instance.id) ?? 'Stopped';
  if (status !== 'Running') throw new IncorrectInstanceStatus(status);
  if (params.bool('DryRun') === true) throw new DryRunOperation();
  ctx.world.reboot(instance.id);
  return {};
};

export const instanceHandlers: Record<string, Handler<EmulatorContext>> = {
  DescribeInstances,
  DescribeInstanceStatus,
  RebootInstance,
};
