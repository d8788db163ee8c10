/**
 * What a load balancer people run on their own machines (nginx, HAProxy) is to drainctl: a fixed
 * group of servers whose weights and states it changes — and none of a cloud balancer's life:
 * nothing to create or delete, no listeners, no backends to add or remove. One shape for both
 * adapters; each says in its own words why the rest is not there. Neither has tags: a run's lock
 * and saved weights go to the `tags` store the composition root gives (a file in DRAINCTL_HOME).
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
  /** Where the balancer's tags are kept instead; without it, tags are not supported. */
  tags?: SelfRunTagStore;
}

/** Tags kept for a balancer that has none (the run's lock, the weights saved before drains). */
export interface SelfRunTagStore {
  read(): Promise<Record<string, string>>;
  update(change: (tags: Record<string, string>) => void): Promise<void>;
}

export function selfRunLoadBalancer(parts: SelfRunParts): LoadBalancer {
  const { notSupported } = parts;
  const tagStore = (): SelfRunTagStore => parts.tags ?? notSupported('tags');
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
    getTags: async () => tagStore().read(),
    async setTags(_id, tags) {
      await tagStore().update((current) => Object.assign(current, tags));
    },
    async removeTags(_id, keys) {
      await tagStore().update((current) => {
        for (const key of keys) delete current[key];
      });
    },
  };
}
