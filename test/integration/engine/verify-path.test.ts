/**
 * `lb.verify-path` through a TCP listener in front of an HTTP service, against the emulator: the
 * servers accept TCP (the balancer's own TCP check sees them healthy) but answer 503 on
 * /healthz. The planner asks for an HTTP check (the workflow names a verify path), so the path
 * is not proven and nothing after it runs; a bare TCP connect — what a plan without `check`
 * does behind a tcp listener — passes in the very same world.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { sha256Hex } from '#src/engine/sha256.js';
import { plan, run } from '#src/index.js';
import { createLogger } from '#src/log/index.js';
import { hashPlan, type Plan, type Step } from '#src/plan/index.js';
import { createHealthChecker } from '#src/probes/health/index.js';

const SERVERS = ['i-emu-web-1', 'i-emu-web-2'];
const quiet = createLogger({ level: 'silent' });

const WORKFLOW = `name: verify-tcp-http
region: cn-hangzhou
loadBalancer:
  create: { name: verify-slb }
  listeners:
    - protocol: tcp
      port: 8080
      backendPort: 8080
      healthCheck: { type: tcp, intervalSeconds: 1, healthyThreshold: 2, unhealthyThreshold: 2 }
  verify: { path: /healthz, expectStatus: [200], timeoutSeconds: 8 }
backends:
  instances: [${SERVERS.join(', ')}]
drain:
  probe: { kind: none, waitSeconds: 0 }
  quietSeconds: 1
  timeoutSeconds: 20
patch:
  commands: ['yum update kernel -y']
  reboot: false
  verify: false
health: { checks: [{ type: load-balancer }], consecutiveSuccesses: 1, intervalSeconds: 1, timeoutSeconds: 10 }
restore: { rampPercent: [100], holdSeconds: 0 }
`;

let emu: Emulator;
let dir: string;
let options: { env: NodeJS.ProcessEnv; cwd: string; logger: typeof quiet };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drainctl-verify-path-'));
  emu = await startEmulator({
    port: 0,
    stateDir: join(dir, 'emulator'),
    timings: {
      stoppingSeconds: 0.1,
      bootSeconds: 0.3,
      appStartSeconds: 0.1,
      healthCheckScale: 0.25,
    },
  });
  // The servers' app comes back from a reboot unhealthy: /healthz answers 503, TCP still accepts.
  const cloud = createCloudPorts({
    region: emu.region,
    endpoint: emu.endpoint,
    credentials: emu.credentials,
    clock: systemClock,
    logger: quiet,
  });
  await Promise.all(
    SERVERS.map(async (id) => {
      emu.injectFault({ kind: 'unhealthy-after-reboot', instanceId: id, seconds: 3600 });
      await cloud.host.reboot(id);
      await cloud.host.waitUntilRunning(id, { timeoutMs: 30_000 });
    }),
  );
  await writeFile(join(dir, 'verify.yaml'), WORKFLOW);
  options = {
    cwd: dir,
    logger: quiet,
    env: {
      DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
      ALIBABA_CLOUD_REGION_ID: emu.region,
      DRAINCTL_HOME: join(dir, 'home'),
    },
  };
}, 60_000);
afterAll(async () => {
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type VerifyPath = Extract<Step, { action: 'lb.verify-path' }>;

describe('lb.verify-path through a tcp listener in front of an HTTP service', () => {
  it('check: http fails on the 503 that a bare TCP connect would not see', async () => {
    const approved = await plan('verify.yaml', options);
    const verify = approved.steps.find((s): s is VerifyPath => s.action === 'lb.verify-path');
    expect(verify?.params).toMatchObject({ protocol: 'tcp', check: 'http', path: '/healthz' });

    const result = await run(approved, { ...options, planSha256: approved.sha256 });
    expect(result.outcome).not.toBe('completed');
    expect(result.report.haltReason).toMatch(/path through lb-\S+ not proven within 8s/);
    expect(result.report.haltReason).toContain('503');
    // Only the HTTP answer failed: the balancer saw every server healthy by then.
    expect(result.report.haltReason).not.toContain('balancer health not normal');
    // Nothing after the failed proof ran: no server was drained or patched.
    expect(result.report.nodes.map((n) => n.state)).toEqual(['pending', 'pending']);

    const address = result.state.refs.loadBalancerAddress ?? '';
    const health = createHealthChecker({ loadBalancer: createPorts().loadBalancer });
    const connect = await health.check({ kind: 'tcp', host: address, port: 8080, timeoutMs: 2000 });
    expect(connect.ok).toBe(true);
  }, 90_000);

  it('the same step as a plan written before `check` existed (tcp listener → connect) passes', async () => {
    const current = await plan('verify.yaml', options);
    const upToVerify = current.steps.slice(
      0,
      current.steps.findIndex((s) => s.action === 'lb.verify-path') + 1,
    );
    const steps = upToVerify.map((s) => {
      if (s.action !== 'lb.verify-path') return s;
      const { check: _check, ...params } = s.params;
      return { ...s, params };
    });
    const { sha256: _sha, ...unhashed } = { ...current, steps } satisfies Plan;
    const legacy: Plan = { ...unhashed, sha256: hashPlan(unhashed, sha256Hex) };
    // The first test's run halted on this balancer on purpose; starting again is deliberate.
    const result = await run(legacy, { ...options, planSha256: legacy.sha256, newRun: true });
    expect(result.report.haltReason).toBeUndefined();
    expect(result.outcome).toBe('completed');
  }, 90_000);
});

function createPorts() {
  return createCloudPorts({
    region: emu.region,
    endpoint: emu.endpoint,
    credentials: emu.credentials,
    clock: systemClock,
    logger: quiet,
  });
}
