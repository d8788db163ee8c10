/**
 * The emulated Alidns (API 2015-01-09): the topology's domains and their records, one handler per
 * action over the DnsStore. The authoritative UDP server that answers from these records belongs
 * to the world (mocks/world); the store pushes every change to it. Never imports from src/.
 */
import type { EmulatorContext } from '../emulator/context.js';
import type { Product } from '../server/product.js';
import { domainHandlers } from './domain-handlers.js';
import { recordHandlers } from './record-handlers.js';

export const dnsProduct: Product<EmulatorContext> = {
  name: 'dns',
  code: 'Alidns',
  version: '2015-01-09',
  hostId: 'alidns.aliyuncs.com',
  handlers: { ...recordHandlers, ...domainHandlers },
};
