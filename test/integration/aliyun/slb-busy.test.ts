/**
 * SLB keeps "configuring" for a while after each change and answers ServiceIsConfiguring to the
 * next one (the emulator's configuringDelayMs knob). A prepare sequence done back to back must
 * ride that out through the retry policy, and tags set through SlbClient read back.
 */
import { describe, expect, it } from 'vitest';
import { tcpListener } from '#support/contracts/load-balancer.contract.js';
import { useAliyunEnv } from '#support/emulator-adapters.js';

const env = useAliyunEnv({ configuringDelayMs: 150 });

describe('a balancer that is still configuring', () => {
  it('listener, backends and weights back to back succeed, each busy answer retried and logged', async () => {
    const { ports, logs } = env();
    const { loadBalancer } = ports;
    const lb = await loadBalancer.create({
      name: 'busy',
      addressType: 'intranet',
      tags: {},
      clientToken: 'busy-1',
    });
    await loadBalancer.ensureListener(lb.id, tcpListener(8080, 8080));
    await loadBalancer.addBackends(lb.id, [
      { serverId: 'i-emu-web-1', weight: 100 },
      { serverId: 'i-emu-web-2', weight: 100 },
    ]);
    await loadBalancer.startListener(lb.id, 8080, 'tcp');
    await loadBalancer.setBackendWeights(lb.id, [{ serverId: 'i-emu-web-1', weight: 0 }]);
    await loadBalancer.setBackendWeights(lb.id, [{ serverId: 'i-emu-web-1', weight: 100 }]);

    expect((await loadBalancer.listBackends(lb.id)).map((b) => b.weight)).toEqual([100, 100]);
    const busy = logs.filter((line) => line.code === 'ServiceIsConfiguring');
    expect(busy.length).toBeGreaterThan(0);
    for (const line of busy) expect(line).toMatchObject({ level: 'warn', product: 'slb' });
  });

  it('tags added through SlbClient read back through DescribeTags and the balancer', async () => {
    const { ports, clients } = env();
    const lb = await ports.loadBalancer.create({
      name: 'tagged',
      addressType: 'intranet',
      tags: { app: 'web' },
      clientToken: 'tagged-1',
    });
    await clients.slb.addTags(lb.id, { owner: 'ops', app: 'web' });
    expect((await clients.slb.describeTags(lb.id)).tags).toMatchObject({
      owner: 'ops',
      app: 'web',
    });
    expect((await ports.loadBalancer.describe(lb.id)).tags).toEqual({ app: 'web', owner: 'ops' });
  });
});
