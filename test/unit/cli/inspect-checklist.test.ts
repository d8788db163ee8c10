import { describe, expect, it } from 'vitest';
import { inspectChecklist } from '#src/app/inspect-checklist.js';
import type { ObservedInventory } from '#src/plan/types.js';
import type { InstanceInfo } from '#src/ports/index.js';
import { parseWorkflow } from '#src/workflow/index.js';

const yaml = (rollout: string, listener = '') =>
  [
    'name: t',
    'region: cn-hangzhou',
    'loadBalancer:',
    '  id: lb-1',
    listener,
    'backends: { tags: { app: web } }',
    `rollout: ${rollout}`,
    'drain: { probe: { kind: access-log, source: local, path: "/l/{instanceId}" } }',
  ]
    .filter(Boolean)
    .join('\n');

const instance = (n: number): InstanceInfo => ({
  id: `i-${n}`,
  name: `web-${n}`,
  status: 'Running',
  privateIp: `10.0.0.${n}`,
  tags: { app: 'web' },
});

function inventory(health: Array<'normal' | 'abnormal' | 'unavailable'>): ObservedInventory {
  const instances = health.map((_, i) => instance(i + 1));
  return {
    observedAt: '2026-11-21T02:00:00.000Z',
    region: 'cn-hangzhou',
    instances,
    loadBalancer: {
      id: 'lb-1',
      name: 'web',
      address: '10.0.0.100',
      addressType: 'intranet',
      status: 'active',
      regionId: 'cn-hangzhou',
      tags: {},
      listeners: [{ port: 80, protocol: 'tcp' }],
      backends: instances.map((i) => ({ serverId: i.id, weight: 100, type: 'ecs' })),
      listenerDetails: [
        {
          protocol: 'tcp',
          port: 80,
          backendPort: 8080,
          scheduler: 'wrr',
          status: 'running',
          healthCheck: {
            enabled: true,
            type: 'tcp',
            intervalSeconds: 2,
            timeoutSeconds: 5,
            healthyThreshold: 3,
            unhealthyThreshold: 3,
          },
        },
      ],
      health: instances.map((i, n) => ({
        serverId: i.id,
        port: 8080,
        listenerPort: 80,
        protocol: 'tcp',
        health: health[n] ?? 'normal',
      })),
    },
  };
}

const lines = (spec: string, observed: ObservedInventory) =>
  Object.fromEntries(
    inspectChecklist(parseWorkflow({ file: 't.yaml', text: spec }, {}).spec, observed, {
      ok: true,
    }).map((line) => [line.id, line]),
  );

describe('inspect checklist', () => {
  it('resolves percent budgets the way the rollout schema says (minHealthy rounds up)', () => {
    const result = lines(
      yaml('{ maxUnavailable: "50%", minHealthy: "50%" }'),
      inventory(['normal', 'normal', 'normal', 'normal', 'normal']),
    );
    // 5 serving: minHealthy ceil(2.5) = 3; maxUnavailable floor(2.5) = 2; 5 - 3 = 2 may leave.
    expect(result.budget).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('up to 2 out at once'),
    });
  });

  it('counts only healthy servers towards the budget, and names the unhealthy ones', () => {
    const result = lines(
      yaml('{ minHealthy: 2 }'),
      inventory(['normal', 'abnormal', 'unavailable']),
    );
    expect(result.health).toMatchObject({
      status: 'fail',
      detail: 'i-2 abnormal, i-3 unavailable (judged on listener 80/tcp)',
    });
    expect(result.budget).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^1 healthy serving, minHealthy 2/),
    });
  });

  it('a stopped second listener says nothing about health, as the gates count it', () => {
    const observed = inventory(['normal', 'normal', 'normal']);
    const lb = observed.loadBalancer;
    if (lb === undefined) throw new Error('no balancer');
    const [running] = lb.listenerDetails;
    if (running === undefined) throw new Error('no listener');
    lb.listenerDetails.push({ ...running, port: 9090, status: 'stopped' });
    lb.health.push(
      ...observed.instances.map((i) => ({
        serverId: i.id,
        port: 8080,
        listenerPort: 9090,
        protocol: 'tcp' as const,
        health: 'unavailable' as const,
      })),
    );
    const result = lines(yaml('{ minHealthy: 2 }'), observed);
    expect(result.health).toMatchObject({
      status: 'pass',
      detail: '3 serving, all normal (judged on listener 80/tcp; ignored 9090/tcp (stopped))',
    });
    expect(result.budget).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/^3 healthy serving/),
    });
  });

  it('fails a listener that exists with another configuration', () => {
    const listener = '  listeners: [{ protocol: tcp, port: 80, backendPort: 9090 }]';
    const result = lines(yaml('{ minHealthy: 1 }', listener), inventory(['normal', 'normal']));
    expect(result['listener:tcp:80']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('backendPort: live 8080, workflow 9090'),
    });
  });

  it('reports the planner problems as one failing line', () => {
    const spec = parseWorkflow({ file: 't.yaml', text: yaml('{ minHealthy: 1 }') }, {}).spec;
    const result = inspectChecklist(spec, inventory(['normal']), {
      ok: false,
      problems: ['a', 'b'],
    });
    expect(result.at(-1)).toEqual({
      id: 'plan',
      title: 'the planner accepts the workflow',
      status: 'fail',
      detail: 'a; b',
    });
  });
});
