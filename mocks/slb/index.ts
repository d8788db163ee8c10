/**
 * The emulated SLB (Classic Load Balancer, API 2014-05-15): one handler per action, named after
 * it, over the SlbStore. Owns SLB's API state; the data planes themselves belong to the world
 * (mocks/world), reached only through the World interface. Never imports from src/.
 */
import type { EmulatorContext } from '../emulator/context.js';
import { inRegion } from '../emulator/region.js';
import type { Product } from '../server/product.js';
import { backendServerHandlers } from './backend-server-handlers.js';
import { healthHandlers } from './health-status.js';
import { listenerHandlers } from './listener-handlers.js';
import { loadBalancerHandlers } from './load-balancer-handlers.js';
import { masterSlaveGroupHandlers } from './master-slave-group-handlers.js';
import { tagHandlers } from './tag-handlers.js';
import { vServerGroupHandlers } from './vserver-group-handlers.js';

export const slbProduct: Product<EmulatorContext> = {
  name: 'slb',
  code: 'Slb',
  version: '2014-05-15',
  hostId: 'slb.aliyuncs.com',
  handlers: inRegion({
    ...loadBalancerHandlers,
    ...listenerHandlers,
    ...backendServerHandlers,
    ...healthHandlers,
    ...vServerGroupHandlers,
    ...masterSlaveGroupHandlers,
    ...tagHandlers,
  }),
};
