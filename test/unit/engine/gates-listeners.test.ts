/**
 * Gates judge health only on listeners that judge it: a stopped listener or one with health
 * checks off reports every backend `unavailable`, which is "not judged", not "unhealthy". The
 * gate's message names the listeners it judged and the ones it left out.
 */
import { describe, expect, it } from 'vitest';
import { evaluateGate, type GateInput } from '#src/engine/policy/gates.js';
import type { BackendHealthStatus, Listener } from '#src/ports/index.js';

const CHECK = {
  enabled: true,
  type: 'tcp' as const,
  intervalSeconds: 2,
  timeoutSeconds: 2,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};

function listener(port: number, status: Listener['status'], checks = true): Listener {
  return {
    protocol: 'tcp',
    port,
    backendPort: port,
    scheduler: 'wrr',
    status,
    healthCheck: { ...CHECK, enabled: checks },
  };
}

function entry(
  serverId: string,
  listenerPort: number,
  health: BackendHealthStatus['health'],
): BackendHealthStatus {
  return { serverId, port: listenerPort, listenerPort, protocol: 'tcp', health };
}

function gate(listeners: Listener[] | undefined, extra: BackendHealthStatus[] = []): GateInput {
  return {
    node: 'a',
    params: { minHealthy: 2, maxUnavailable: 1, groupPeers: [], expectedNodeSeconds: 1 },
    observation: {
      ok: true,
      backends: ['a', 'b', 'c'].map((serverId) => ({ serverId, weight: 100, type: 'ecs' })),
      health: [
        ...['a', 'b', 'c'].map((id) => entry(id, 80, 'normal')),
        ...['a', 'b', 'c'].flatMap((id) => [entry(id, 9090, 'unavailable')]),
        ...['a', 'b', 'c'].flatMap((id) => [entry(id, 9091, 'unavailable')]),
        ...extra,
      ],
      ...(listeners === undefined ? {} : { listeners }),
    },
    outOfService: [],
    now: Date.parse('2026-11-21T02:00:00Z'),
  };
}

describe('gates and listeners that do not judge health', () => {
  it('a stopped listener and one with health checks off are ignored, and named', () => {
    const decision = evaluateGate(
      gate([listener(80, 'running'), listener(9090, 'stopped'), listener(9091, 'running', false)]),
    );
    expect(decision.passed).toBe(true);
    const minHealthy = decision.checks.find((c) => c.name === 'min-healthy');
    expect(minHealthy?.detail).toBe(
      '2 healthy weighted backend(s) would remain without a, at least 2 required (judged on listener 80/tcp; ignored 9090/tcp (stopped), 9091/tcp (health check off))',
    );
  });

  it('a running listener that checks health still judges: unavailable there is not healthy', () => {
    const decision = evaluateGate(
      gate([listener(80, 'running'), listener(9090, 'running'), listener(9091, 'running')]),
    );
    expect(decision.passed).toBe(false);
    expect(decision.summary).toContain('judged on listeners 80/tcp, 9090/tcp, 9091/tcp');
  });

  it('entries of a listener it knows nothing about still judge (fails closed)', () => {
    expect(evaluateGate(gate(undefined)).passed).toBe(false);
  });

  it('with every listener ignored nothing is healthy, and it says why', () => {
    const decision = evaluateGate({
      ...gate([listener(80, 'stopped'), listener(9090, 'stopped'), listener(9091, 'stopped')]),
    });
    expect(decision.passed).toBe(false);
    expect(decision.summary).toContain('judged on no listener that checks health');
  });
});
