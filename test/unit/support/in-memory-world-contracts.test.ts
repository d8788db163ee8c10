/**
 * The in-memory world (test/support/in-memory-world.ts) held to the port contracts the cloud,
 * SSH and local adapters pass: the engine's unit and property tests trust it to behave as those
 * do. It needs no skip: where it disagreed with a contract, the model was the one changed.
 */
import { systemClock } from '#src/adapters/local/system-clock.js';
import { alertGateContract } from '#support/contracts/alert-gate.contract.js';
import { dnsContract } from '#support/contracts/dns.contract.js';
import { hostContract } from '#support/contracts/host.contract.js';
import { loadBalancerContract } from '#support/contracts/load-balancer.contract.js';
import { trafficProbeContract } from '#support/contracts/traffic-probe.contract.js';
import { InMemoryWorld, type ModelNode, noFaults } from '#support/in-memory-world.js';

const TAGS = { app: 'web', env: 'demo' };

function node(n: number, weight = 100): ModelNode {
  return {
    id: `i-node-${n}`,
    name: `web-${n}`,
    ip: `10.0.0.${10 + n}`,
    weight,
    kernel: '3.10.0-1160.el7.x86_64',
    availableKernel: '3.10.0-1160.119.1.el7.x86_64',
    tags: TAGS,
  };
}

/** One world for the whole suite, as an adapter's suite shares one emulator. */
const world = new InMemoryWorld([1, 2, 3].map((n) => node(n)));

loadBalancerContract('in-memory world', () => ({
  loadBalancer: world.ports().loadBalancer,
  serverIds: ['i-node-1', 'i-node-2', 'i-node-3'],
  listenerPort: 8080,
  backendPort: 8080,
}));

dnsContract('in-memory world', () => ({
  dns: world.ports().dns,
  domain: 'example.com',
  rr: 'www',
  otherValue: '10.0.0.99',
  newRr: 'contract-new',
}));

hostContract('in-memory world', () => ({
  host: world.ports().host({ kind: 'ecs', instanceId: 'i-node-1' }),
  instanceIds: ['i-node-1', 'i-node-2', 'i-node-3'],
  tags: TAGS,
  rebootTimeoutMs: 60_000,
}));

/**
 * A drained node (weight 0) whose probe sees real traffic while its weight is up again. On the
 * system clock: the contract lets real time pass (an abort 200 ms into a wait), which the
 * AutoClock would skip.
 */
const probed = new InMemoryWorld([node(1, 0)], noFaults(), [], { clock: systemClock });
trafficProbeContract('in-memory world', () => ({
  open: () =>
    probed.ports().trafficProbes('i-node-1', {
      kind: 'connections',
      port: 8080,
      ignoreCidrs: [],
    }),
  traffic: () => {
    probed.backends.set('i-node-1', 100);
    probed.faults.errorsFromWeight.set('i-node-1', { weight: 1, afterBoot: false });
    return () => {
      probed.backends.set('i-node-1', 0);
      probed.faults.errorsFromWeight.delete('i-node-1');
    };
  },
  seesStatus: true,
}));

alertGateContract('in-memory world', () => ({
  checker: world.ports().alertGate ?? { check: () => Promise.reject(new Error('no checker')) },
  query: { prometheusUrl: 'http://model', query: 'ALERTS', labels: {}, timeoutMs: 1000 },
  firing: (alertname) => {
    world.alerts = [{ labels: { alertname } }];
  },
  quiet: () => {
    world.alerts = [];
  },
  unreachable: () => {
    world.alerts = 'unreachable';
  },
}));
