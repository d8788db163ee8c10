/**
 * The emulated ECS (API 2014-05-26): instances of the topology and Cloud Assistant. One handler
 * per action over the EcsStore; instance status, reboots and command interpretation belong to the
 * world (mocks/world), reached only through the World interface. Never imports from src/.
 */
import type { EmulatorContext } from '../emulator/context.js';
import { inRegion } from '../emulator/region.js';
import type { Product } from '../server/product.js';
import { instanceHandlers } from './instance-handlers.js';
import { invocationHandlers } from './invocation-handlers.js';
import { runCommandHandlers } from './run-command.js';

export const ecsProduct: Product<EmulatorContext> = {
  name: 'ecs',
  code: 'Ecs',
  version: '2014-05-26',
  hostId: 'ecs.aliyuncs.com',
  handlers: inRegion({ ...instanceHandlers, ...runCommandHandlers, ...invocationHandlers }),
};
