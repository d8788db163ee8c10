import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InstanceState } from '#mocks/world/index.js';
import { parseCombined } from '#support/access-log-lines.js';
import {
  type Fixture,
  instanceSpec,
  logLines,
  newKernel,
  oldKernel,
  request,
  startWorld,
} from '#support/emulated-world.js';

describe('reboot', () => {
  let fx: Fixture;
  let app: string;

  beforeAll(async () => {
    fx = await startWorld({ stoppingSeconds: 0.15, bootSeconds: 0.3, appStartSeconds: 0.15 });
    await fx.world.addInstance(instanceSpec(fx.block, 1));
    app = fx.world.instance('i-emu-web-1')?.app ?? '';
  });
  afterAll(() => fx.close());

  it('goes Stopping → Starting → Running, boots the staged kernel, resets open connections, and logs on', async () => {
    const { world } = fx;
    const [host, port] = app.split(':') as [string, string];
    const log = world.instance('i-emu-web-1')?.accessLog ?? '';

    const update = await world.runCommand('i-emu-web-1', 'yum update kernel -y', 30);
    expect(update.status).toBe('Success');
    expect(world.instance('i-emu-web-1')).toMatchObject({
      kernel: oldKernel,
      stagedKernel: newKernel,
    });
    await request(`http://${app}/before-reboot`);

    const socket = net.connect({ host, port: Number(port) });
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    const reset = new Promise<string>((resolve) => {
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      socket.on('close', () => resolve('closed without reset'));
    });

    const seen: InstanceState[] = [];
    const record = () => {
      const status = world.instance('i-emu-web-1')?.status;
      if (status && seen[seen.length - 1] !== status) seen.push(status);
    };
    world.reboot('i-emu-web-1');
    record();
    expect(await reset).toBe('ECONNRESET');
    await expect(request(`http://${app}/while-down`)).rejects.toThrow(/ECONNREFUSED/);
    expect(() => world.reboot('i-emu-web-1')).toThrow(/only a Running instance/);
    await expect
      .poll(
        () => {
          record();
          return seen.at(-1);
        },
        { timeout: 5000, interval: 5 },
      )
      .toBe('Running');
    expect(seen).toEqual(['Stopping', 'Starting', 'Running']);
    expect(world.instance('i-emu-web-1')).toMatchObject({ kernel: newKernel, status: 'Running' });
    expect(world.instance('i-emu-web-1')?.stagedKernel).toBeUndefined();

    // Running is the hypervisor's word; the app follows a moment later, on the same address.
    const reply = await vi.waitFor(() => request(`http://${app}/after-reboot`), {
      timeout: 5000,
      interval: 20,
    });
    expect(JSON.parse(reply.body).kernel).toBe(newKernel);
    const paths = logLines(log).map((line) => parseCombined(line).path);
    expect(paths).toContain('/before-reboot');
    expect(paths[paths.length - 1]).toBe('/after-reboot');
    expect(paths).not.toContain('/while-down');
  });

  it('a reboot without a staged kernel keeps the kernel', async () => {
    const { world } = fx;
    const kernel = world.instance('i-emu-web-1')?.kernel;
    world.reboot('i-emu-web-1');
    await expect
      .poll(() => world.instance('i-emu-web-1')?.status, { timeout: 5000, interval: 20 })
      .toBe('Running');
    expect(world.instance('i-emu-web-1')?.kernel).toBe(kernel);
  });

  it('refuses an unknown instance', () => {
    expect(() => fx.world.reboot('i-nope')).toThrow(
      expect.objectContaining({ code: 'InvalidInstanceId.NotFound' }),
    );
  });
});
