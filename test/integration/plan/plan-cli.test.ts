/**
 * `drainctl plan` against the emulator: the seed story's runbook before the migration, the same
 * plan (and hash) however often it is observed, a re-run that finds the balancer the first run
 * created, and the rolling example on an existing balancer. Planning never changes the world.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '#mocks/index.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { sha256Hex } from '#src/engine/sha256.js';
import { createBalancerRequest, hashPlan, type Plan } from '#src/plan/index.js';
import type { LoadBalancer } from '#src/ports/index.js';
import { runCliInProcess } from '#support/cli-in-process.js';
import { runDrainctl } from '#support/cli-runner.js';
import { emulatorEnv, emulatorState, startPlanEmulator } from '#support/plan-emulator.js';
import { loadExample } from '#support/workflows.js';

let emu: Emulator;
let balancers: LoadBalancer;

beforeAll(async () => {
  emu = await startPlanEmulator();
  balancers = createCloudPorts({
    region: emu.region,
    endpoint: emu.endpoint,
    credentials: emu.credentials,
  }).loadBalancer;
});
afterAll(async () => {
  await emu?.close();
});

async function planJson(file: string, env: Record<string, string> = {}): Promise<Plan> {
  const run = await runCliInProcess(['plan', file, '--json'], { ...emulatorEnv(emu), ...env });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Plan;
}

async function waitHealthy(id: string, count: number): Promise<void> {
  await expect
    .poll(
      async () =>
        (await balancers.healthStatus(id)).filter((entry) => entry.health === 'normal').length,
      { timeout: 20_000, interval: 100 },
    )
    .toBeGreaterThanOrEqual(count);
}

describe('drainctl plan against the emulator', () => {
  it('prints the seed story runbook and changes nothing', async () => {
    const before = await emulatorState(emu);
    const run = await runDrainctl(['plan', 'workflows/kernel-patch.yaml'], {
      env: emulatorEnv(emu),
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('drainctl runbook: kernel-patch');
    expect(run.stdout).toMatch(/Plan sha256: {4}[0-9a-f]{64}/);
    expect(run.stdout).toContain('Create load balancer web-slb');
    expect(run.stdout).toContain('Bring i-emu-web-2 (web-2) into service');
    expect(run.stdout).toContain(
      `Point www.example.com A from ${emu.subnet.replace('.0/24', '.11')}`,
    );
    expect(run.stdout).toMatch(/Estimated total: /);
    expect(await emulatorState(emu)).toEqual(before);
  }, 90_000);

  it('gives the same plan and sha256 each time the same world is observed', async () => {
    const first = await planJson('workflows/kernel-patch.yaml');
    const second = await planJson('./workflows/kernel-patch.yaml');
    expect(first.inventory.observedAt <= second.inventory.observedAt).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    // The JSON document is the plan itself: its hash recomputes (nothing masked or cut on the way).
    expect(hashPlan(first, sha256Hex)).toBe(first.sha256);
    expect(JSON.stringify(first)).not.toMatch(/\[Circular\]|\[REDACTED\]/);
    expect(first.workflow.file).toBe('workflows/kernel-patch.yaml');
    const record = first.inventory.dns?.record;
    expect(record).toMatchObject({ rr: 'www', type: 'A', ttl: 10 });
    expect(first.inventory.dns?.nameServers.length).toBeGreaterThan(0);
  });

  it('finds the balancer a first run created by name and tags, and plans nothing twice', async () => {
    const seed = loadExample('workflows/kernel-patch.yaml');
    const create = seed.spec.loadBalancer.create;
    if (create === undefined) throw new Error('the seed creates its balancer');
    const created = await balancers.create(
      createBalancerRequest(seed.spec.name, create, sha256Hex),
    );
    const plan = await planJson('workflows/kernel-patch.yaml');
    expect(plan.loadBalancer).toEqual({ id: created.id, name: 'web-slb', create: false });
    const actions = plan.steps.map((step) => step.action);
    expect(actions).not.toContain('lb.create');
    expect(actions).toContain('lb.ensure-listener');
    expect(plan.notes).toEqual(expect.arrayContaining([expect.stringContaining('already exists')]));

    // The listener exactly as the plan asks for it, read back through the API, is the same.
    const ensure = plan.steps.find((step) => step.action === 'lb.ensure-listener');
    if (ensure?.action !== 'lb.ensure-listener') throw new Error('no ensure-listener step');
    await balancers.ensureListener(created.id, ensure.params.listener);
    await balancers.startListener(created.id, 8080, 'tcp');
    const again = await planJson('workflows/kernel-patch.yaml');
    const againActions = again.steps.map((step) => step.action);
    expect(againActions).not.toContain('lb.ensure-listener');
    expect(againActions).not.toContain('lb.start-listener');
    expect(againActions).toContain('lb.add-backends');
  });

  it('plans the rolling example on an existing balancer: two per batch, pairs apart', async () => {
    const lb = await balancers.create({
      name: 'rolling-slb',
      addressType: 'intranet',
      tags: {},
      clientToken: 'plan-cli-test-rolling',
    });
    await balancers.ensureListener(lb.id, {
      protocol: 'tcp',
      port: 8080,
      backendPort: 8080,
      scheduler: 'wrr',
      healthCheck: {
        enabled: true,
        type: 'http',
        uri: '/healthz',
        method: 'head',
        httpCodes: ['http_2xx', 'http_3xx'],
        intervalSeconds: 2,
        timeoutSeconds: 2,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
    });
    await balancers.addBackends(
      lb.id,
      [1, 2, 3, 4].map((n) => ({ serverId: `i-emu-web-${n}`, weight: 100 })),
    );
    await balancers.startListener(lb.id, 8080, 'tcp');
    await waitHealthy(lb.id, 4);
    const plan = await planJson('workflows/rolling-patch-existing-slb.yaml', {
      LOAD_BALANCER_ID: lb.id,
    });
    expect(plan.batches.map((batch) => batch.nodes)).toEqual([
      ['i-emu-web-1', 'i-emu-web-2'],
      ['i-emu-web-3', 'i-emu-web-4'],
    ]);
    expect(plan.rollout).toMatchObject({ maxUnavailable: 2, minHealthy: 2 });
    expect(plan.steps.every((step) => step.phase === 'rollout')).toBe(true);
    const check = plan.steps.find((step) => step.action === 'node.wait-healthy');
    expect(check?.params).toMatchObject({
      checks: [
        { kind: 'http', port: 8080, path: '/healthz', host: emu.subnet.replace('.0/24', '.11') },
      ],
    });
  }, 60_000);

  it("refuses a log format the run's probes could not use, naming the workflow's path", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainctl-plan-format-'));
    try {
      const workflow = (name: string, listener: string, format: string) => {
        const file = join(dir, `${name}.yaml`);
        writeFileSync(
          file,
          [
            `name: ${name}`,
            'loadBalancer:',
            `  create: { name: ${name}-slb }`,
            `  listeners: [${listener}]`,
            'backends: { instances: [i-emu-web-1, i-emu-web-2] }',
            'drain:',
            `  probe: { kind: access-log, path: "/var/log/{instanceId}.log", format: ${format} }`,
            'patch: { commands: [yum update kernel -y] }',
            '',
          ].join('\n'),
        );
        return file;
      };
      const before = await emulatorState(emu);
      const split = workflow(
        'split',
        '{ protocol: tcp, port: 9090, backendPort: 8080 }',
        "{ nginx: '$remote_addr$status' }",
      );
      const glued = await runCliInProcess(['plan', split], emulatorEnv(emu));
      expect(glued.code, glued.stderr).toBe(3);
      expect(glued.stderr.trim()).toBe(
        `drainctl: INVALID_INPUT: ${split}: drain.probe.format.nginx: expected text (a space, a quote) between every two variables, found $remote_addr$status: $remote_addr and $status side by side, so no parser can tell where one ends`,
      );
      // Behind an http listener the client is in X-Forwarded-For, which `combined` lacks.
      const layer7 = workflow(
        'layer7',
        '{ protocol: http, port: 9091, backendPort: 8080, healthCheck: { uri: /healthz } }',
        'combined',
      );
      const blind = await runCliInProcess(['plan', layer7], emulatorEnv(emu));
      expect(blind.code, blind.stderr).toBe(3);
      expect(blind.stderr).toContain(
        `${layer7}: drain.probe.format: expected a log_format with $http_x_forwarded_for`,
      );
      expect(blind.stderr).toContain('found nginx combined');
      expect(await emulatorState(emu)).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
