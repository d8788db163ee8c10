/**
 * Reads lag a create (eventual consistency): right after CreateLoadBalancer, the new id may
 * answer InvalidLoadBalancerId.NotFound. create() reads again a few times before that is an
 * error — and it is one, promptly, when the balancer truly never shows up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AliyunTestEnv, startAliyunEnv } from '#support/emulator-adapters.js';

let env: AliyunTestEnv;
beforeAll(async () => {
  env = await startAliyunEnv();
});
afterAll(async () => {
  await env?.emu.close();
});

const notFound = (count: number) => ({
  kind: 'api-error' as const,
  action: 'DescribeLoadBalancerAttribute',
  code: 'InvalidLoadBalancerId.NotFound',
  count,
});

describe('a new balancer not yet readable', () => {
  it('is read again until it shows up, then waited on until active', async () => {
    env.emu.injectFault(notFound(2));
    const lb = await env.ports.loadBalancer.create({
      name: 'lag-slb',
      addressType: 'intranet',
      tags: { app: 'web' },
      clientToken: 'lag-1',
    });
    expect(lb).toMatchObject({ name: 'lag-slb', status: 'active' });
    expect(env.emu.state().loadBalancers.map((l) => l.id)).toContain(lb.id);
  });

  it('is LOAD_BALANCER_NOT_FOUND after a few reads, not after the active timeout', async () => {
    env.emu.clearFaults();
    env.emu.injectFault(notFound(1000));
    const started = Date.now();
    const error = await env.ports.loadBalancer
      .create({ name: 'gone-slb', addressType: 'intranet', tags: {}, clientToken: 'lag-2' })
      .catch((e: unknown) => e);
    env.emu.clearFaults();
    expect(error).toMatchObject({ code: 'LOAD_BALANCER_NOT_FOUND' });
    // The test env polls every 20 ms with a 5 s active timeout: a few reads take far less.
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
