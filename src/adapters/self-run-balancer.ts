/**
 * What a load balancer people run on their own machines (nginx, HAProxy) is to drainctl: a fixed
 * group of servers whose weights and states it changes — and none of a cloud balancer's life:
 * nothing to create or delete, no listeners, no backends to add or remove, no tags. One shape for
 * both adapters; each says in its own words why the rest is not there.
 */
import type {
  BackendHealthStatus,
  BackendServer,
  BackendWeight,
  LoadBalancer,
  LoadBalancerInfo,
} from '../ports/index.js';

export interface SelfRunParts {
  /** The group's name (the upstream, the backend) and where it runs. */
  name: string;
  address: string;
  listBackends(id: string): Promise<BackendServer[]>;
  setBackendWeights(id: string, weights: BackendWeight[]): Promise<void>;
  healthStatus(id: string): Promise<BackendHealthStatus[]>;
  /** Refuses what this kind of balancer does not have, naming it (`tags`, `listeners`…). */
  notSupported(what: string): never;
}

export function selfRunLoadBalancer(parts: SelfRunParts): LoadBalancer {
  const { notSupported } = parts;
  return {
    async describe(id): Promise<LoadBalancerInfo> {
      return {
        id,
        name: parts.name,
        address: parts.address,
        addressType: 'intranet',
        status: 'active',
        regionId: '',
        tags: {},
        listeners: [],
        backends: await parts.listBackends(id),
      };
    },
    async findByName() {
      return [];
    },
    create: async () => notSupported('balancer to create'),
    delete: async () => notSupported('balancer to delete'),
    async describeListener() {
      return undefined;
    },
    ensureListener: async () => notSupported('listeners'),
    startListener: async () => notSupported('listeners'),
    stopListener: async () => notSupported('listeners'),
    deleteListener: async () => notSupported('listeners'),
    listBackends: parts.listBackends,
    addBackends: async () => notSupported('backends to add'),
    setBackendWeights: parts.setBackendWeights,
    removeBackends: async () => notSupported('backends to remove'),
    healthStatus: parts.healthStatus,
    getTags: async () => notSupported('tags'),
    setTags: async () => notSupported('tags'),
    removeTags: async () => notSupported('tags'),
  };
}
