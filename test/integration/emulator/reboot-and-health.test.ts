import { connect, type Socket } from 'node:net';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Ecs, type EcsClient, useEmulator } from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { get, hits } from '#support/http-client.js';

const REGION = 'cn-hangzhou';
type HealthEntry = { ServerId: string; ServerHealthStatus: string };
/** Every wait below: commands, reboots and health checks on FAST timings end within this. */
const POLL = { timeout: 10_000, interval: 25 };

async function runToEnd(ecs: EcsClient, instanceId: string, script: string) {
  const run = await ecs.runCommand(
    new Ecs.RunCommandRequest({
      regionId: REGION,
      type: 'RunShellScript',
      commandContent: script,
      instanceId: [instanceId],
    }),
  );
  const invokeId = run.body?.invokeId ?? '';
  const result = await vi.waitFor(async () => {
    const answer = await ecs.describeInvocationResults(
      new Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId }),
    );
    const first = answer.body?.invocation?.invocationResults?.invocationResult?.[0];
    expect(first?.invocationStatus, `the command on ${instanceId}`).not.toBe('Running');
    return first;
  }, POLL);
  return { ...result, text: Buffer.from(result?.output ?? '', 'base64').toString('utf8') };
}

function instanceStatus(ecs: EcsClient, instanceId: string) {
  return ecs
    .describeInstanceStatus(
      new Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: [instanceId] }),
    )
    .then((r) => r.body?.instanceStatuses?.instanceStatus?.[0]?.status ?? '');
}

/** Follows an instance's status until Running, recording each distinct status seen. */
async function statusesUntilRunning(ecs: EcsClient, instanceId: string): Promise<string[]> {
  const seen: string[] = [];
  await vi.waitFor(
    async () => {
      const status = await instanceStatus(ecs, instanceId);
      if (seen.at(-1) !== status) seen.push(status);
      expect(status === 'Running' && seen.length > 1, `${instanceId} Running again`).toBe(true);
    },
    { ...POLL, interval: 15 },
  );
  return seen;
}

/** A raw keep-alive HTTP connection to an app, to see what a reboot does to it. */
async function openConnection(app: string): Promise<{ socket: Socket; closed: Promise<string> }> {
  const [host = '', port = ''] = app.split(':');
  const socket = connect(Number(port), host);
  const closed = new Promise<string>((resolve) => {
    let reason = 'closed';
    socket.on('error', (error: NodeJS.ErrnoException) => {
      reason = error.code ?? error.message;
    });
    socket.on('close', () => resolve(reason));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const response = new Promise<string>((resolve) =>
    socket.once('data', (chunk) => resolve(chunk.toString())),
  );
  socket.write(`GET /before-reboot HTTP/1.1\r\nHost: ${app}\r\nConnection: keep-alive\r\n\r\n`);
  expect(await response).toMatch(/^HTTP\/1\.1 200/);
  return { socket, closed };
}

describe('patching and rebooting an instance', () => {
  const env = useEmulator({ timings: FAST });

  it('RunCommand (update) + RebootInstance: Stopping → Starting → Running, new kernel, open connections reset', async () => {
    const { ecs, emu } = env();
    const app = emu.state().instances.find((i) => i.id === 'i-emu-web-3')?.app ?? '';
    const before = await runToEnd(ecs, 'i-emu-web-3', 'uname -r');
    expect(before.text.trim()).toBe('3.10.0-1160.el7.x86_64');
    const update = await runToEnd(ecs, 'i-emu-web-3', 'yum update -y kernel');
    expect(update).toMatchObject({ invocationStatus: 'Success', exitCode: 0 });
    expect(update.text).toContain('Complete!');

    const { closed } = await openConnection(app);
    let closedWhile = '';
    void closed.then(async () => {
      closedWhile = await instanceStatus(ecs, 'i-emu-web-3');
    });
    await ecs.rebootInstance(new Ecs.RebootInstanceRequest({ instanceId: 'i-emu-web-3' }));
    expect(await statusesUntilRunning(ecs, 'i-emu-web-3')).toEqual([
      'Stopping',
      'Starting',
      'Running',
    ]);
    expect(['ECONNRESET', 'closed']).toContain(await closed);
    expect(closedWhile).not.toBe('Running');

    const after = await vi.waitFor(async () => {
      const result = await runToEnd(ecs, 'i-emu-web-3', 'uname -r');
      expect(result.invocationStatus, 'Cloud Assistant back after the boot').toBe('Success');
      return result;
    }, POLL);
    expect(after.text.trim()).toBe('3.10.0-1160.119.1.el7.x86_64');
    expect(emu.state().instances.find((i) => i.id === 'i-emu-web-3')?.kernel).toBe(
      '3.10.0-1160.119.1.el7.x86_64',
    );
  });

  it('a script that reboots ends its invocation, then the instance reboots into the staged kernel', async () => {
    const { ecs, emu } = env();
    const result = await runToEnd(ecs, 'i-emu-web-4', 'yum update -y kernel && reboot');
    expect(result).toMatchObject({ invocationStatus: 'Success', exitCode: 0 });
    const seen = await statusesUntilRunning(ecs, 'i-emu-web-4');
    expect(seen).toContain('Starting');
    expect(seen.at(-1)).toBe('Running');
    expect(emu.state().instances.find((i) => i.id === 'i-emu-web-4')?.kernel).toBe(
      '3.10.0-1160.119.1.el7.x86_64',
    );
  });
});

describe('health checks see an app that stopped', () => {
  const SCALE = 0.25;
  const env = useEmulator({ timings: { ...FAST, healthCheckScale: SCALE } });
  const INTERVAL_S = 2;
  const UNHEALTHY_THRESHOLD = 3;
  const TIMEOUT_S = 1;
  let lb = '';
  let url = '';
  const health = async () =>
    (
      (await env().callSlb('DescribeHealthStatus', { LoadBalancerId: lb })).BackendServers as {
        BackendServer: HealthEntry[];
      }
    ).BackendServer;

  beforeAll(async () => {
    const { callSlb } = env();
    const created = await callSlb('CreateLoadBalancer', { LoadBalancerName: 'health' });
    lb = String(created.LoadBalancerId);
    url = `http://${created.Address}:8080`;
    await callSlb('CreateLoadBalancerTCPListener', {
      LoadBalancerId: lb,
      ListenerPort: 8080,
      BackendServerPort: 8080,
      Bandwidth: -1,
      healthCheckInterval: INTERVAL_S,
      HealthCheckConnectTimeout: TIMEOUT_S,
      HealthyThreshold: 2,
      UnhealthyThreshold: UNHEALTHY_THRESHOLD,
    });
    await callSlb('AddBackendServers', {
      LoadBalancerId: lb,
      BackendServers: JSON.stringify([{ ServerId: 'i-emu-web-1' }, { ServerId: 'i-emu-web-2' }]),
    });
    await callSlb('StartLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 8080 });
    // In a hook, where expect.poll is not available.
    await vi.waitFor(async () => {
      expect((await health()).map((e) => e.ServerHealthStatus)).toEqual(['normal', 'normal']);
    }, POLL);
  });

  it('DescribeHealthStatus says abnormal within interval × threshold (boot-failure keeps the app down)', async () => {
    const { ecs, emu } = env();
    emu.injectFault({ kind: 'boot-failure', instanceId: 'i-emu-web-2' });
    await ecs.rebootInstance(new Ecs.RebootInstanceRequest({ instanceId: 'i-emu-web-2' }));
    const stoppedAt = Date.now();
    await expect
      .poll(
        async () => (await health()).find((e) => e.ServerId === 'i-emu-web-2')?.ServerHealthStatus,
        { ...POLL, interval: 20 },
      )
      .toBe('abnormal');
    const elapsed = Date.now() - stoppedAt;
    const intervalMs = INTERVAL_S * 1000 * SCALE;
    // The first failing check comes within one interval, the threshold-th one (threshold-1)
    // intervals later; each may take up to the timeout. 1 s of slack for a loaded machine.
    expect(elapsed).toBeGreaterThanOrEqual((UNHEALTHY_THRESHOLD - 1) * intervalMs - 50);
    expect(elapsed).toBeLessThanOrEqual(
      UNHEALTHY_THRESHOLD * intervalMs + TIMEOUT_S * 1000 * SCALE + 1000,
    );
    expect((await health()).find((e) => e.ServerId === 'i-emu-web-1')?.ServerHealthStatus).toBe(
      'normal',
    );
  });

  it('boot-failure, seen through the SDK: Running per the hypervisor, but no agent and no traffic', async () => {
    const { ecs, emu } = env();
    await expect.poll(() => instanceStatus(ecs, 'i-emu-web-2'), POLL).toBe('Running');
    const command = await runToEnd(ecs, 'i-emu-web-2', 'uname -r');
    expect(command.invocationStatus).toBe('Error');
    expect(command.errorCode).toBeTruthy();
    const log = emu.state().instances.find((i) => i.id === 'i-emu-web-1')?.accessLog ?? '';
    for (let i = 0; i < 20; i++) expect((await get(`${url}/after-failure-${i}`)).status).toBe(200);
    await expect.poll(() => hits(log, '/after-failure-'), POLL).toBe(20);
    expect((await health()).find((e) => e.ServerId === 'i-emu-web-2')?.ServerHealthStatus).toBe(
      'abnormal',
    );
  });
});
