import { describe, expect, it } from 'vitest';
import { evaluateGate, type GateInput, isHealthyWeighted } from '#src/engine/policy/gates.js';
import { judgedHealth } from '#src/listener/index.js';
import type { BackendHealthStatus, BackendServer } from '#src/ports/index.js';

const backends = (weights: Record<string, number>): BackendServer[] =>
  Object.entries(weights).map(([serverId, weight]) => ({ serverId, weight, type: 'ecs' }));
const health = (states: Record<string, BackendHealthStatus['health']>): BackendHealthStatus[] =>
  Object.entries(states).map(([serverId, h]) => ({
    serverId,
    port: 8080,
    listenerPort: 80,
    protocol: 'tcp',
    health: h,
  }));

const NOW = Date.parse('2026-11-21T02:00:00Z');

function input(
  over: Partial<GateInput> & {
    weights?: Record<string, number>;
    states?: Record<string, BackendHealthStatus['health']>;
  },
): GateInput {
  const weights = over.weights ?? { a: 100, b: 100, c: 100 };
  const states = over.states ?? { a: 'normal', b: 'normal', c: 'normal' };
  return {
    node: 'a',
    params: {
      minHealthy: 1,
      maxUnavailable: 1,
      groupPeers: [],
      expectedNodeSeconds: 300,
      ...over.params,
    },
    observation: over.observation ?? {
      ok: true,
      backends: backends(weights),
      health: health(states),
    },
    outOfService: over.outOfService ?? [],
    now: over.now ?? NOW,
  };
}

describe('gates', () => {
  it('passes when enough healthy weighted backends remain', () => {
    const decision = evaluateGate(
      input({
        params: { minHealthy: 2, maxUnavailable: 1, groupPeers: [], expectedNodeSeconds: 1 },
      }),
    );
    expect(decision.passed).toBe(true);
  });

  it('counts live health and weight: an abnormal or weight-0 backend is not healthy', () => {
    const decision = evaluateGate(
      input({
        weights: { a: 100, b: 0, c: 100 },
        states: { a: 'normal', b: 'normal', c: 'abnormal' },
        params: { minHealthy: 1, maxUnavailable: 1, groupPeers: [], expectedNodeSeconds: 1 },
      }),
    );
    expect(decision.passed).toBe(false);
    expect(decision.summary).toContain(
      '0 healthy weighted backend(s) would remain without a, at least 1 required',
    );
  });

  it('treats "unavailable" (not checked) as not healthy: unknown health is not health', () => {
    const judged = (entries: BackendHealthStatus[]) => judgedHealth(entries, []);
    expect(isHealthyWeighted('a', backends({ a: 100 }), judged(health({ a: 'unavailable' })))).toBe(
      false,
    );
    expect(isHealthyWeighted('a', backends({ a: 100 }), judged([]))).toBe(false);
  });

  it('blocks when the run already has maxUnavailable nodes out', () => {
    const decision = evaluateGate(input({ outOfService: ['b'] }));
    expect(decision.passed).toBe(false);
    expect(decision.summary).toContain(
      '1 node(s) of this run out of service (b), at most 1 with a',
    );
  });

  it('blocks while a group peer is out of service or unhealthy', () => {
    const params = { minHealthy: 0, maxUnavailable: 3, groupPeers: ['b'], expectedNodeSeconds: 1 };
    expect(evaluateGate(input({ params, outOfService: ['b'] })).summary).toContain(
      'group peer(s) out of service or unhealthy: b',
    );
    expect(
      evaluateGate(input({ params, states: { a: 'normal', b: 'abnormal', c: 'normal' } })).passed,
    ).toBe(false);
    expect(evaluateGate(input({ params })).passed).toBe(true);
  });

  it('blocks when the window has less time left than the node needs', () => {
    const params = {
      minHealthy: 0,
      maxUnavailable: 1,
      groupPeers: [],
      expectedNodeSeconds: 600,
      windowEnd: '2026-11-21T02:05:00Z',
    };
    const decision = evaluateGate(input({ params }));
    expect(decision.passed).toBe(false);
    expect(decision.summary).toContain('300s left in the maintenance window');
    expect(evaluateGate(input({ params: { ...params, expectedNodeSeconds: 300 } })).passed).toBe(
      true,
    );
  });

  it('fails closed: a gate that cannot be evaluated blocks', () => {
    const decision = evaluateGate(
      input({ observation: { ok: false, error: 'Throttling.User: request was denied' } }),
    );
    expect(decision.passed).toBe(false);
    expect(decision.summary).toBe(
      'gate blocked: cannot evaluate the gate (fails closed): Throttling.User: request was denied',
    );
  });

  it('fails closed: a window end that is not a date blocks', () => {
    const params = {
      minHealthy: 0,
      maxUnavailable: 1,
      groupPeers: [],
      expectedNodeSeconds: 1,
      windowEnd: 'tomorrow-ish',
    };
    const decision = evaluateGate(input({ params }));
    expect(decision.passed).toBe(false);
    expect(decision.summary).toContain('cannot evaluate the maintenance window (fails closed)');
  });
});
