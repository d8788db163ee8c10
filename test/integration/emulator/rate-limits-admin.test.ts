/**
 * The emulator enforces per-action quotas when asked, through the admin API: above the quota an
 * action answers Throttling.User with the real status and body; other actions are untouched.
 */
import { describe, expect, it } from 'vitest';
import { useEmulator } from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { expectApiError } from '#support/expect-api-error.js';

async function admin(endpoint: string, method: string, body?: unknown) {
  const response = await fetch(`${endpoint}/__emulator/rate-limits`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('per-action quotas (admin API)', () => {
  const env = useEmulator({ timings: FAST });

  it('throttles an action above its quota, and stops once the quotas are cleared', async () => {
    const { callSlb, emu } = env();
    expect((await admin(emu.endpoint, 'GET')).body).toEqual({ rateLimits: {} });
    const set = await admin(emu.endpoint, 'PUT', {
      DescribeLoadBalancers: { calls: 2, perSeconds: 60 },
    });
    expect(set).toEqual({
      status: 200,
      body: { rateLimits: { DescribeLoadBalancers: { calls: 2, perSeconds: 60 } } },
    });
    await callSlb('DescribeLoadBalancers');
    await callSlb('DescribeLoadBalancers');
    const error = await expectApiError(callSlb('DescribeLoadBalancers'), 'Throttling.User', 400);
    expect(error.data.Message).toBe('Request was denied due to user flow control.');
    await callSlb('CreateLoadBalancer', {});
    await admin(emu.endpoint, 'DELETE');
    await callSlb('DescribeLoadBalancers');
  });

  it('counts the calls it answered per action and outcome, until told to start again', async () => {
    const { callSlb, emu } = env();
    const calls = async (method = 'GET') =>
      (await (await fetch(`${emu.endpoint}/__emulator/api-calls`, { method })).json()) as {
        apiCalls: Record<string, unknown>;
      };
    await calls('DELETE');
    await admin(emu.endpoint, 'PUT', { DescribeLoadBalancers: { calls: 1, perSeconds: 60 } });
    await callSlb('DescribeLoadBalancers');
    await expectApiError(callSlb('DescribeLoadBalancers'), 'Throttling.User', 400);
    await expectApiError(
      callSlb('DescribeLoadBalancerAttribute', { LoadBalancerId: 'lb-none' }),
      'InvalidLoadBalancerId.NotFound',
      404,
    );
    await admin(emu.endpoint, 'DELETE');
    expect((await calls()).apiCalls).toEqual({
      DescribeLoadBalancerAttribute: { ok: 0, throttled: 0, failed: 1 },
      DescribeLoadBalancers: { ok: 1, throttled: 1, failed: 0 },
    });
    expect(emu.apiCalls()).toEqual((await calls()).apiCalls);
    expect(await calls('DELETE')).toEqual({ apiCalls: {} });
    expect(emu.apiCalls()).toEqual({});
  });

  it('refuses a quota that does not fit, naming it', async () => {
    const refused = await admin(env().emu.endpoint, 'PUT', { SetBackendServers: { calls: 0 } });
    expect(refused.status).toBe(400);
    expect(String(refused.body.error)).toMatch(/SetBackendServers/);
  });
});
