/**
 * A server whose health check fails in the account (its OS did not come up after a reboot; the
 * hypervisor says Running) is down in the mirror too, so the plans agree and the rehearsal runs
 * in the world the night will meet.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { rehearseWorkflowFile } from '#src/app/rehearse.js';
import { createLogger } from '#src/log/index.js';
import { emulatorPorts, setUpBalancerByHand } from '#support/balancer-by-hand.js';
import { FAST } from '#support/emulator-timings.js';
import { until } from '#support/waits.js';

let real: Emulator;
let dir: string;
let loadBalancerId: string;

beforeAll(async () => {
  real = await startEmulator({ port: 0, timings: FAST });
  ({ id: loadBalancerId } = await setUpBalancerByHand(real, {
    clientToken: 'rehearse-differences',
    healthCheck: {
      enabled: true,
      type: 'tcp',
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      intervalSeconds: 2,
      timeoutSeconds: 2,
    },
    backends: ['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-3'].map((serverId) => ({
      serverId,
      weight: 100,
    })),
  }));
  // The account as the test finds it: web-3 rebooted and never came back.
  real.injectFault({ kind: 'boot-failure', instanceId: 'i-emu-web-3' });
  await emulatorPorts(real).host.reboot('i-emu-web-3');
  await until(
    () =>
      real.state().instances.find((i) => i.id === 'i-emu-web-3')?.status === 'Running' &&
      real.state().loadBalancers[0]?.backends.find((b) => b.serverId === 'i-emu-web-3')?.health ===
        'abnormal',
    20_000,
  );
  dir = await mkdtemp(join(tmpdir(), 'drainctl-rehearse-diff-'));
  await writeFile(
    join(dir, 'night.yaml'),
    `name: differences
region: cn-hangzhou
loadBalancer:
  id: \${LOAD_BALANCER_ID}
backends:
  instances: [i-emu-web-1, i-emu-web-2, i-emu-web-3]
rollout:
  maxUnavailable: 1
  minHealthy: 1
drain:
  probe: { kind: none, waitSeconds: 1 }
patch:
  commands: ['yum update kernel -y']
  reboot: true
  rebootTimeoutSeconds: 120
  verify: { command: uname -r, expect: changed }
health:
  consecutiveSuccesses: 1
  intervalSeconds: 1
  timeoutSeconds: 60
restore:
  rampPercent: [100]
  holdSeconds: 0
`,
  );
});

afterAll(async () => {
  await real?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a server down in the account is down in the mirror: the same plan', async () => {
  const report = await rehearseWorkflowFile(join(dir, 'night.yaml'), {
    env: { LOAD_BALANCER_ID: loadBalancerId },
    cwd: dir,
    environment: {
      regionId: real.region,
      cloudEndpoint: new URL(real.endpoint),
      home: join(dir, 'home'),
      logLevel: undefined,
    },
    logger: createLogger({ level: 'silent' }),
    loadRps: 0,
    ports: emulatorPorts(real),
  });
  console.log(
    JSON.stringify({ d: report.differences, n: report.mirror.notes, r: report.run }, null, 1),
  );
  expect(report.differences).toEqual({ count: 0, named: [] });
  expect(report.samePlan).toBe(true);
  expect(report.mirror.notes).toContain(
    'web-3: failing its health check in the account, down in the mirror (rebooted into an OS that does not come up)',
  );
  // What the night will meet: web-3's Cloud Assistant is offline too, so the night halts there.
  expect(report.run.outcome).toBe('halted');
  expect(report.run.haltReason).toMatch(/^web-3 .*ClientNotRunning/);
}, 120_000);
