import http from 'node:http';
import { describe, expect, it } from 'vitest';
import type { BackendTarget } from '#mocks/world/index.js';
import { instanceSpec, listenerSpec, request, startWorld } from '#support/emulated-world.js';

function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

describe('closing the world', () => {
  it('stops every server, socket and timer it started, even mid-reboot and mid-command', async () => {
    const before = resourceCounts();
    const fx = await startWorld({ bootSeconds: 5 });
    const { world } = fx;
    await world.addInstance(instanceSpec(fx.block, 1));
    await world.addInstance(instanceSpec(fx.block, 2));
    const backends: BackendTarget[] = [1, 2].map((n) => ({
      serverId: `i-emu-web-${n}`,
      ip: `${fx.block}.${10 + n}`,
      port: 8080,
      weight: 100,
    }));
    await world.startListener(listenerSpec(fx.block), () => backends);
    await world.startListener(
      listenerSpec(fx.block, { port: 8081, protocol: 'http' }),
      () => backends,
    );
    const agent = new http.Agent({ keepAlive: true });
    await request(`http://${fx.block}.101:8080/`, { agent });
    await request(`http://${fx.block}.101:8081/`, { agent });
    const slow = request(`http://${fx.block}.101:8081/?delay_ms=10000`).catch(
      (error: Error) => error,
    );
    const command = world.runCommand('i-emu-web-1', 'sleep 30', 60);
    world.reboot('i-emu-web-2');
    world.injectFault({
      kind: 'health-flapping',
      instanceId: 'i-emu-web-1',
      periodSeconds: 1,
      seconds: 60,
    });

    await fx.close();
    agent.destroy();
    expect(await command).toMatchObject({ status: 'Error', errorCode: 'ExecutionInterrupted' });
    expect(await slow).toBeInstanceOf(Error);
    await expect(request(`http://${fx.block}.11:8080/`)).rejects.toThrow(/ECONNREFUSED/);
    await expect(request(`http://${fx.block}.101:8080/`)).rejects.toThrow(/ECONNREFUSED/);
    await expect(fx.world.addInstance(instanceSpec(fx.block, 3))).rejects.toThrow(/closed/);
    await fx.world.close(); // idempotent

    await expect
      .poll(
        () => {
          const now = resourceCounts();
          return Object.keys(now).filter((name) => (now[name] ?? 0) > (before[name] ?? 0));
        },
        { timeout: 3000, interval: 20 },
      )
      .toEqual([]);
  });
});
