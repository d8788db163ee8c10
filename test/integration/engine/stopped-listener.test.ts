/**
 * A balancer with a second listener that is stopped (its backends report `unavailable`) and a
 * third with health checks off: the gates (minHealthy) and the balancer health check judge only
 * the running listener that checks health, and say which one they judged. Real binary, emulator.
 */
import { describe, expect, it } from 'vitest';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { createLogger } from '#src/log/index.js';
import { drainctl, endState, journal, runEnvPerTest } from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

const NEW = '3.10.0-1160.119.1.el7.x86_64';

describe('listeners that do not judge health', () => {
  it('a stopped listener and one without health checks do not make every backend unhealthy', async () => {
    const env = await startEnv({ waitSeconds: 0 });
    const ports = createCloudPorts({
      region: env.emu.region,
      endpoint: env.emu.endpoint,
      credentials: env.emu.credentials,
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
    });
    const check = {
      type: 'tcp' as const,
      intervalSeconds: 2,
      timeoutSeconds: 2,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    };
    // Created and never started: stopped.
    await ports.loadBalancer.ensureListener(env.loadBalancerId, {
      protocol: 'tcp',
      port: 9090,
      backendPort: 9090,
      scheduler: 'wrr',
      healthCheck: { enabled: true, ...check },
    });
    // Running, with its health check off.
    await ports.loadBalancer.ensureListener(env.loadBalancerId, {
      protocol: 'tcp',
      port: 9091,
      backendPort: 9091,
      scheduler: 'wrr',
      healthCheck: { enabled: false, ...check },
    });
    await ports.loadBalancer.startListener(env.loadBalancerId, 9091, 'tcp');
    const health = await ports.loadBalancer.healthStatus(env.loadBalancerId);
    expect(health.filter((h) => h.listenerPort === 9090).map((h) => h.health)).toContain(
      'unavailable',
    );

    const plan = await drainctl(env, ['plan', env.workflow]);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);

    const run = await drainctl(env, ['run', env.workflow, '--yes']);
    expect(run.stderr).not.toMatch(/RUN_FAILED/);
    expect(run.code).toBe(0);
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 100,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
    expect(Object.values(endState(env).kernels)).toEqual([NEW, NEW, NEW]);
    const runId = run.stdout.match(/r-\d{8}-\d{6}-[0-9a-f]{4}/)?.[0] ?? '';
    const gate = (await journal(env, runId)).find((e) => e.type === 'gate');
    const checks = (gate?.checks ?? []) as Array<{ name: string; detail: string }>;
    const minHealthy = checks.find((c) => c.name === 'min-healthy');
    expect(minHealthy?.detail).toContain('judged on listener 8080/tcp');
    expect(minHealthy?.detail).toContain('9090/tcp (stopped)');
    expect(minHealthy?.detail).toContain('9091/tcp (health check off)');
  }, 120_000);
});
