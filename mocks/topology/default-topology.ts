/**
 * The world before the seed story's migration (the brief's fixed facts): four running CentOS
 * web servers with an old kernel, `www.example.com` pointing at web-1, no load balancer yet.
 */
import type { TopologyInput } from './schema.js';

export const defaultTopology: TopologyInput = {
  region: 'cn-hangzhou',
  appPort: 8080,
  instances: [1, 2, 3, 4].map((n) => ({
    id: `i-emu-web-${n}`,
    name: `web-${n}`,
    hostname: `web-${n}`,
    tags: { app: 'web', env: 'demo' },
  })),
  domains: [
    {
      name: 'example.com',
      edition: 'ultimate',
      records: [{ rr: 'www', type: 'A', instance: 'i-emu-web-1', ttl: 10 }],
    },
  ],
};
