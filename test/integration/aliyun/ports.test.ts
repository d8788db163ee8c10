/**
 * The port contracts run against the Alibaba Cloud adapters, driven over HTTP through the real
 * SDK clients against the emulator.
 */

import { dnsContract } from '#support/contracts/dns.contract.js';
import { hostContract } from '#support/contracts/host.contract.js';
import { loadBalancerContract } from '#support/contracts/load-balancer.contract.js';
import { useAliyunEnv } from '#support/emulator-adapters.js';

const env = useAliyunEnv({
  timings: { stoppingSeconds: 0.1, bootSeconds: 0.2, packageUpdateSeconds: 0.02 },
});

loadBalancerContract('aliyun SLB adapter on the emulator', () => ({
  loadBalancer: env().ports.loadBalancer,
  serverIds: ['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-3'],
  listenerPort: 8080,
  backendPort: 8080,
}));

dnsContract('aliyun Alidns adapter on the emulator', () => ({
  dns: env().ports.dns,
  domain: 'example.com',
  rr: 'www',
  otherValue: '127.0.0.99',
  newRr: 'contract-new',
}));

hostContract('aliyun ECS adapter on the emulator', () => ({
  host: env().ports.host,
  instanceIds: ['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-4'],
  tags: { app: 'web', env: 'demo' },
  rebootTimeoutMs: 10_000,
}));
