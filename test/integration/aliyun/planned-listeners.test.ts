/**
 * Every listener the planner derives from a workflow can be ensured on a new balancer, and
 * ensured again without a difference: the adapter's strict comparison must never refuse a
 * listener it has just created from the same configuration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenerConfig } from '#src/plan/listener-config.js';
import { parseWorkflow } from '#src/workflow/index.js';
import { useAliyunEnv } from '#support/emulator-adapters.js';

const env = useAliyunEnv();

const variants = [
  `- { protocol: tcp, port: 9080, backendPort: 8080 }`,
  `- { protocol: tcp, port: 9081, backendPort: 8080, healthCheck: { type: http, uri: /healthz, method: get, httpCodes: [http_2xx] } }`,
  `- { protocol: tcp, port: 9082, backendPort: 8080, connectionDrain: { enabled: true, timeoutSeconds: 30 } }`,
  `- { protocol: http, port: 9083, backendPort: 8080, healthCheck: { uri: /healthz, domain: www.example.com } }`,
  `- { protocol: http, port: 9084, backendPort: 8080, scheduler: rr, healthCheck: { enabled: false } }`,
];

function workflowListeners(text: string) {
  return parseWorkflow({ file: 'w.yaml', text }, {}).spec.loadBalancer.listeners.map(
    listenerConfig,
  );
}

describe('listeners the planner produces', () => {
  it('kernel-patch.yaml and hand-written variants are created once and ensured again unchanged', async () => {
    const { loadBalancer } = env().ports;
    const example = readFileSync(join(process.cwd(), 'workflows', 'kernel-patch.yaml'), 'utf8');
    const base = example
      .split('\n')
      .filter((line) => !line.startsWith('region:'))
      .join('\n');
    const listeners = [
      ...workflowListeners(`region: cn-hangzhou\n${base}`),
      ...workflowListeners(
        `name: v\nregion: cn-hangzhou\nloadBalancer:\n  create: { name: v }\n  listeners:\n${variants.map((v) => `    ${v}`).join('\n')}\nbackends: { instances: [i-emu-web-1, i-emu-web-2] }\ndrain: { probe: { kind: access-log, source: local, path: "/l/{instanceId}" } }\n`,
      ),
    ];
    expect(listeners).toHaveLength(6);
    const lb = await loadBalancer.create({
      name: 'planned',
      addressType: 'intranet',
      tags: {},
      clientToken: 'planned-1',
    });
    for (const config of listeners) {
      const created = await loadBalancer.ensureListener(lb.id, config);
      expect(await loadBalancer.ensureListener(lb.id, config)).toEqual(created);
      expect(created).toMatchObject({
        protocol: config.protocol,
        port: config.port,
        backendPort: config.backendPort,
        scheduler: config.scheduler,
        healthCheck: { enabled: config.healthCheck.enabled },
      });
    }
  });
});
