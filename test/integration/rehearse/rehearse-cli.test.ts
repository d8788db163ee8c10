/**
 * `drainctl rehearse --json` through the binary, and `drainctl run --rehearsal` refusing a plan
 * that is not the rehearsed one: exit 3, one clear line, nothing changed in the account.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { setUpBalancerByHand } from '#support/balancer-by-hand.js';
import { runDrainctl } from '#support/cli-runner.js';
import { FAST } from '#support/emulator-timings.js';
import { emulatorEnv } from '#support/plan-emulator.js';

const workflowText = (rampPercent: string) => `name: cli-rehearsal
region: cn-hangzhou
loadBalancer:
  id: \${LOAD_BALANCER_ID}
backends:
  instances: [i-emu-web-1, i-emu-web-2]
rollout:
  maxUnavailable: 1
  minHealthy: 1
dns:
  domain: example.com
  record: www
  type: A
  ttl: { lowerTo: 1, waitOldTtl: true, raiseTo: original }
drain:
  probe: { kind: none, waitSeconds: 2 }
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
  rampPercent: ${rampPercent}
  holdSeconds: 0
`;

let real: Emulator;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  real = await startEmulator({ port: 0, timings: FAST });
  const { id } = await setUpBalancerByHand(real, {
    clientToken: 'rehearse-cli',
    healthCheck: {
      enabled: true,
      type: 'tcp',
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      intervalSeconds: 2,
      timeoutSeconds: 2,
    },
    backends: [
      { serverId: 'i-emu-web-1', weight: 100 },
      { serverId: 'i-emu-web-2', weight: 100 },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'drainctl-rehearse-cli-'));
  env = { ...emulatorEnv(real), LOAD_BALANCER_ID: id, DRAINCTL_HOME: join(dir, 'home') };
});

afterAll(async () => {
  await real?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('drainctl rehearse and run --rehearsal', () => {
  it('a report lets only the rehearsed plan run: another plan is refused with exit 3', async () => {
    await writeFile(join(dir, 'night.yaml'), workflowText('[50, 100]'));
    // No clients: a 2 s drain wait compressed to 0.2 s would (rightly) report cut requests.
    const rehearsed = await runDrainctl(['rehearse', 'night.yaml', '--json', '--load', '0'], {
      env,
      cwd: dir,
      timeoutMs: 120_000,
    });
    expect(rehearsed.stderr).toBe('');
    expect(rehearsed.code, rehearsed.stdout).toBe(0);
    const report = JSON.parse(rehearsed.stdout);
    // The record, its id and TTL, and the zone's name servers are planned as in the account.
    expect(report).toMatchObject({
      kind: 'drainctl-rehearsal',
      samePlan: true,
      differences: { count: 0 },
      mirror: { record: { name: 'www.example.com', ttl: 10 } },
    });
    expect(report.run.outcome).toBe('completed');
    await writeFile(join(dir, 'report.json'), rehearsed.stdout);

    // The workflow changed after the rehearsal: tonight's plan is not the rehearsed one.
    await writeFile(join(dir, 'night.yaml'), workflowText('[100]'));
    const before = real.state();
    const refused = await runDrainctl(
      ['run', 'night.yaml', '--yes', '--rehearsal', 'report.json'],
      { env, cwd: dir, timeoutMs: 60_000 },
    );
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(
      `report.json: mirrorPlanSha256: the rehearsed plan ${report.mirrorPlanSha256.slice(0, 12)}… is not this plan`,
    );
    expect(real.state().loadBalancers.map((lb) => lb.backends.map((b) => b.weight))).toEqual(
      before.loadBalancers.map((lb) => lb.backends.map((b) => b.weight)),
    );
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')).planSha256).toBe(
      report.planSha256,
    );
  }, 180_000);
});
