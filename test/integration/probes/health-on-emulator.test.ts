/**
 * The `load-balancer` health check through drainctl's SLB adapter, over HTTP against the
 * emulator: the balancer's own view of a backend, as it changes with a reboot and with weight 0.
 */
import { describe, expect, it, vi } from 'vitest';
import { createHealthChecker } from '#src/probes/health/index.js';
import { tcpListener } from '#support/contracts/load-balancer.contract.js';
import { useAliyunEnv } from '#support/emulator-adapters.js';

// The support's own timings: its option names follow the emulator's, which are still moving.
const env = useAliyunEnv();

describe('load-balancer health check on the emulator', () => {
  it("follows the balancer's view: normal, abnormal while rebooting, not reported, weight 0", async () => {
    const { loadBalancer, host } = env().ports;
    const lb = await loadBalancer.create({
      name: 'probe-health',
      addressType: 'intranet',
      tags: { owner: 'probes-test' },
      clientToken: 'probes-health-check-1',
    });
    await loadBalancer.ensureListener(lb.id, tcpListener(8080, 8080));
    await loadBalancer.addBackends(lb.id, [
      { serverId: 'i-emu-web-1', weight: 100 },
      { serverId: 'i-emu-web-2', weight: 100 },
      { serverId: 'i-emu-web-3', weight: 100 },
    ]);
    await loadBalancer.startListener(lb.id, 8080, 'tcp');
    const checker = createHealthChecker({ loadBalancer });
    const check = (serverId: string, listenerPort?: number) =>
      checker.check({
        kind: 'load-balancer',
        loadBalancerId: lb.id,
        serverId,
        ...(listenerPort !== undefined ? { listenerPort } : {}),
      });
    const eventually = (serverId: string, ok: boolean) =>
      vi.waitFor(
        async () => {
          const result = await check(serverId, 8080);
          expect(result.ok).toBe(ok);
          return result;
        },
        { timeout: 20_000, interval: 50 },
      );

    expect(await eventually('i-emu-web-1', true)).toEqual({ ok: true, detail: 'normal on :8080' });
    expect(await check('i-emu-web-1')).toEqual({ ok: true, detail: 'normal on :8080' });
    expect(await check('i-emu-web-4', 8080)).toEqual({
      ok: false,
      detail: `${lb.id} reports no health for i-emu-web-4 on :8080`,
    });

    // Two reboots at once: web-3 in rotation turns abnormal; web-2 at weight 0 is shown as
    // `unavailable` by the balancer — still not a pass.
    await loadBalancer.setBackendWeights(lb.id, [{ serverId: 'i-emu-web-2', weight: 0 }]);
    await Promise.all([host.reboot('i-emu-web-2'), host.reboot('i-emu-web-3')]);
    expect(await eventually('i-emu-web-3', false)).toEqual({
      ok: false,
      detail: 'abnormal on :8080',
    });
    expect(await check('i-emu-web-2', 8080)).toEqual({ ok: false, detail: 'unavailable on :8080' });
    await Promise.all(
      ['i-emu-web-2', 'i-emu-web-3'].map((id) => host.waitUntilRunning(id, { timeoutMs: 30_000 })),
    );
    expect(await eventually('i-emu-web-3', true)).toMatchObject({ ok: true });
  });

  it('an unknown balancer fails the check with the one-line API error', async () => {
    const checker = createHealthChecker({ loadBalancer: env().ports.loadBalancer });
    const result = await checker.check({
      kind: 'load-balancer',
      loadBalancerId: 'lb-nope',
      serverId: 'i-emu-web-1',
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/^CLOUD_API_ERROR: .*InvalidLoadBalancerId.NotFound HTTP 404/);
    expect(result.detail).not.toContain('\n');
  });
});
