/**
 * A plan for a balancer you run yourself carries the id the run knows it by and the workflow
 * section its adapter is built from, for `run` and again for `resume` (hashed with the plan).
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { planRollout } from '#src/plan/index.js';
import { balancer, emulatorWorld, fleet } from '#support/observed-inventory.js';
import { workflowFrom } from '#support/workflows.js';

const ID = 'nginx:app@local:/etc/nginx/conf.d/app.conf';

function nginxWorkflow(configFile: string) {
  return workflowFrom(`name: web
region: cn-hangzhou
loadBalancer:
  kind: nginx
  nginx:
    hosts: [local]
    configFile: ${configFile}
    upstream: app
    port: 8080
backends:
  instances: [i-emu-web-1, i-emu-web-2, i-emu-web-3]
rollout:
  minHealthy: 2
drain:
  probe:
    kind: access-log
    path: /var/log/{name}.log
patch:
  commands: [yum update kernel -y]
health:
  checks:
    - type: http
      port: 8080
      path: /healthz
`);
}

function planFor(configFile: string) {
  const workflow = nginxWorkflow(configFile);
  const inventory = emulatorWorld({
    instances: fleet(3),
    loadBalancer: balancer(
      [1, 2, 3].map((n) => ({ id: `i-emu-web-${n}`, weight: 1 })),
      { id: ID, name: 'app', tags: {}, listenerDetails: [] },
    ),
  });
  delete inventory.dns;
  return planRollout(workflow.spec, inventory, workflow.source, sha256Hex);
}

describe('the plan of a workflow with loadBalancer.kind nginx', () => {
  it('names the balancer by its id and carries its section for the adapter', () => {
    const plan = planFor('/etc/nginx/conf.d/app.conf');
    expect(plan.loadBalancer).toMatchObject({
      id: ID,
      name: 'app',
      create: false,
      selfRun: {
        kind: 'nginx',
        nginx: { configFile: '/etc/nginx/conf.d/app.conf', upstream: 'app', port: 8080 },
      },
    });
    expect(plan.batches.map((batch) => batch.nodes)).toEqual([
      ['i-emu-web-1'],
      ['i-emu-web-2'],
      ['i-emu-web-3'],
    ]);
  });
});
