/**
 * Per-action rate limits end to end: the emulator enforces a quota on SetBackendServers
 * (Throttling.User above it); a burst well above the quota goes through drainctl's limiter with
 * no Throttling at all, while a client without the limiter is throttled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliyunClients } from '#src/adapters/aliyun/clients.js';
import { AliyunApiError } from '#src/adapters/aliyun/index.js';
import { type AliyunTestEnv, startAliyunEnv } from '#support/emulator-adapters.js';

const QUOTA = { calls: 10, perSeconds: 1 };
const BURST = 25;

let env: AliyunTestEnv;
let lb: string;

beforeAll(async () => {
  env = await startAliyunEnv({
    topology: { instances: [{ id: 'i-rate-1' }] },
    rateLimits: { SetBackendServers: QUOTA },
  });
  lb = (
    await env.ports.loadBalancer.create({
      name: 'rates',
      addressType: 'intranet',
      tags: {},
      clientToken: 'rates-1',
    })
  ).id;
  await env.ports.loadBalancer.addBackends(lb, [{ serverId: 'i-rate-1', weight: 100 }]);
});
afterAll(async () => {
  await env?.emu.close();
});

function burst(slb: ReturnType<typeof createAliyunClients>['slb']) {
  return Promise.allSettled(
    Array.from({ length: BURST }, (_, n) =>
      slb.setBackendServers(lb, [{ serverId: 'i-rate-1', weight: n % 100 }]),
    ),
  );
}

describe('per-action API rate limits', () => {
  it('smooths a burst above the quota: every call succeeds, none is throttled', async () => {
    const before = env.logs.length;
    const slb = createAliyunClients({
      ...env.options,
      // No retries: a single Throttling would fail the call.
      retry: { budgetOverride: { maxAttempts: 1 } },
      rateLimits: { SetBackendServers: QUOTA },
    }).slb;
    const started = Date.now();
    const results = await burst(slb);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(env.logs.slice(before).filter((line) => /Throttling/.test(line.msg))).toEqual([]);
    // The quota at once, then the quota once a window after each answer: 10, 10, then 5.
    const windows = Math.floor((BURST - 1) / QUOTA.calls);
    expect(Date.now() - started).toBeGreaterThanOrEqual(windows * QUOTA.perSeconds * 1000 - 100);
  });

  it('a client without the limiter is throttled with the real error', async () => {
    await new Promise((resolve) => setTimeout(resolve, QUOTA.perSeconds * 1000));
    const slb = createAliyunClients({
      ...env.options,
      retry: { budgetOverride: { maxAttempts: 1 } },
      rateLimits: 'off',
    }).slb;
    const results = await burst(slb);
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(failures.length).toBeGreaterThanOrEqual(BURST - QUOTA.calls);
    expect(failures[0]).toBeInstanceOf(AliyunApiError);
    expect((failures[0] as AliyunApiError).cloudCode).toBe('Throttling.User');
  });
});
