import { afterEach, describe, expect, it } from 'vitest';
import {
  type Fixture,
  instanceSpec,
  newKernel,
  oldKernel,
  request,
  startWorld,
} from '#support/emulated-world.js';

const id = 'i-emu-web-1';

describe('boot entries, package transactions and a bad version', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  async function setUp() {
    fx = await startWorld({ stoppingSeconds: 0.05, bootSeconds: 0.1, appStartSeconds: 0.05 });
    await fx.world.addInstance(instanceSpec(fx.block, 1));
    return fx.world;
  }

  async function rebootAndWait(world: Fixture['world']) {
    world.reboot(id);
    await expect
      .poll(async () => (await world.runCommand(id, 'uname -r', 5)).status, { timeout: 5000 })
      .toBe('Success');
  }

  const out = async (world: Fixture['world'], script: string) => {
    const result = await world.runCommand(id, script, 10);
    return { exitCode: result.exitCode, output: result.output };
  };

  it('rolls a kernel back through grubby and the next reboot, then undoes its transaction', async () => {
    const world = await setUp();
    await out(world, 'yum update -y kernel');
    expect((await out(world, 'grubby --default-kernel')).output).toBe(
      `/boot/vmlinuz-${newKernel}\n`,
    );
    const history = (await out(world, 'yum history list')).output;
    expect(history).toMatch(/^\s+2 \| update -y kernel\s+\|/m);
    await rebootAndWait(world);
    expect((await out(world, 'uname -r')).output).toBe(`${newKernel}\n`);

    // The running kernel is protected: its transaction cannot be undone while it runs.
    expect(await out(world, 'yum history undo -y 2')).toMatchObject({ exitCode: 1 });

    expect(await out(world, `grubby --set-default /boot/vmlinuz-${oldKernel}`)).toEqual({
      exitCode: 0,
      output: `The default is /boot/vmlinuz-${oldKernel}\n`,
    });
    expect(world.instance(id)).toMatchObject({ kernel: newKernel, stagedKernel: oldKernel });
    await rebootAndWait(world);
    expect((await out(world, 'uname -r')).output).toBe(`${oldKernel}\n`);

    expect(await out(world, 'dnf history undo 2 -y')).toMatchObject({ exitCode: 0 });
    expect((await out(world, 'rpm -q kernel')).output).toBe(`kernel-${oldKernel}\n`);
    expect((await out(world, 'yum history')).output).toMatch(/^\s+3 \| history undo 2\s+\|/m);
    // The kernel is gone from disk, so an update installs it again.
    expect((await out(world, 'yum check-update')).exitCode).toBe(100);
  });

  it('rolls back every transaction after one, as one transaction, sparing the running kernel', async () => {
    const world = await setUp();
    await out(world, 'yum update -y kernel');
    // Still running the old kernel: the new one may go.
    expect(await out(world, 'yum history rollback -y 1')).toMatchObject({ exitCode: 0 });
    expect((await out(world, 'rpm -q kernel')).output).toBe(`kernel-${oldKernel}\n`);
    expect((await out(world, 'grubby --default-kernel')).output).toBe(
      `/boot/vmlinuz-${oldKernel}\n`,
    );
    expect((await out(world, 'yum history')).output).toMatch(/^\s+3 \| history rollback 1\s+\|/m);
    // Once it runs, it is protected.
    await out(world, 'yum update -y kernel');
    await rebootAndWait(world);
    expect(await out(world, 'dnf history rollback 1 -y')).toMatchObject({ exitCode: 1 });
  });

  it('sets the default by grub index and by title, newest first', async () => {
    const world = await setUp();
    await out(world, 'yum update -y');
    expect((await out(world, 'grubby --default-index')).output).toBe('0\n');
    await out(world, 'grub2-set-default 1');
    expect((await out(world, 'grubby --default-kernel')).output).toBe(
      `/boot/vmlinuz-${oldKernel}\n`,
    );
    await out(world, `grub2-set-default 'CentOS Linux (${newKernel}) 7 (Core)'`);
    expect((await out(world, 'grubby --default-kernel')).output).toBe(
      `/boot/vmlinuz-${newKernel}\n`,
    );
    expect(await out(world, 'grubby --set-default /boot/vmlinuz-9.9.9')).toEqual({
      exitCode: 1,
      output: 'The param /boot/vmlinuz-9.9.9 is incorrect\n',
    });
  });

  it('a bad version is unhealthy or fails only while its kernel runs', async () => {
    const world = await setUp();
    const app = `http://${world.instance(id)?.app}`;
    world.injectFault({ kind: 'bad-version', instanceId: id, effect: 'unhealthy' });
    expect((await request(`${app}/healthz`)).status).toBe(200);
    await out(world, 'yum update -y');
    await rebootAndWait(world);
    await expect.poll(async () => (await request(`${app}/healthz`)).status).toBe(503);

    world.clearFaults();
    world.injectFault({ kind: 'bad-version', instanceId: id, effect: '5xx', rate: 1 });
    expect((await request(`${app}/checkout`)).status).toBeGreaterThanOrEqual(500);
    await out(world, 'grub2-set-default 1');
    await rebootAndWait(world);
    await expect.poll(async () => (await request(`${app}/checkout`)).status).toBe(200);
    expect((await request(`${app}/healthz`)).status).toBe(200);
  });
});
