import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Fixture,
  instanceSpec,
  newKernel,
  oldKernel,
  startWorld,
} from '#support/emulated-world.js';

describe('Cloud Assistant commands', () => {
  let fx: Fixture;
  const run = (script: string, timeout = 30, id = 'i-emu-web-1') =>
    fx.world.runCommand(id, script, timeout);

  beforeAll(async () => {
    fx = await startWorld({ packageUpdateSeconds: 0.05 });
    await fx.world.addInstance(instanceSpec(fx.block, 1));
    await fx.world.addInstance(instanceSpec(fx.block, 2));
  });
  afterAll(() => fx.close());

  it('prints the running kernel for uname -r, and more for uname -a, hostname, /proc/version', async () => {
    expect(await run('uname -r')).toMatchObject({
      status: 'Success',
      exitCode: 0,
      output: `${oldKernel}\n`,
    });
    expect((await run('uname -a')).output).toMatch(
      new RegExp(`^Linux web-1 ${oldKernel.replace(/\./g, '\\.')} #1 SMP .* GNU/Linux\n$`),
    );
    expect((await run('hostname')).output).toBe('web-1\n');
    expect((await run('cat /proc/version')).output).toMatch(
      new RegExp(`^Linux version ${oldKernel.replace(/\./g, '\\.')} \\(`),
    );
  });

  it('reports times as the API does', async () => {
    const outcome = await run('true');
    expect(outcome.startTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(outcome.finishedTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('stages the new kernel on a package update; later updates find nothing; uname still shows the old one', async () => {
    expect(await run('yum check-update', 30, 'i-emu-web-2')).toMatchObject({
      status: 'Failed',
      exitCode: 100,
    });
    const update = await run(
      '#!/bin/bash\nset -e\nyum -y update kernel\nneeds-restarting -r || echo reboot needed',
      30,
      'i-emu-web-2',
    );
    expect(update.status).toBe('Success');
    expect(update.output).toContain('Complete!');
    expect(update.output).toContain('Reboot is required');
    expect(update.output).toMatch(/reboot needed\n$/);
    expect(fx.world.instance('i-emu-web-2')).toMatchObject({
      kernel: oldKernel,
      stagedKernel: newKernel,
    });
    expect((await run('sudo yum update -y', 30, 'i-emu-web-2')).output).toContain(
      'No packages marked for update',
    );
    expect((await run('uname -r', 30, 'i-emu-web-2')).output).toBe(`${oldKernel}\n`);
    expect((await run('rpm -q kernel', 30, 'i-emu-web-2')).output).toBe(
      `kernel-${oldKernel}\nkernel-${newKernel}\n`,
    );
  });

  it.each([
    [3, 'dnf upgrade -y'],
    [4, 'DEBIAN_FRONTEND=noninteractive apt-get -y upgrade'],
    [5, 'apt-get update && apt-get install -y linux-image-generic'],
    [6, 'yum install -y kernel'],
    [7, 'sudo yum update -y kernel > /tmp/update.log 2>&1'],
  ])('recognises a kernel update (web-%i: %s)', async (n, script) => {
    await fx.world.addInstance(instanceSpec(fx.block, n));
    const id = `i-emu-web-${n}`;
    expect((await run(script, 30, id)).status).toBe('Success');
    expect(fx.world.instance(id)?.stagedKernel).toBe(newKernel);
  });

  it('does not take other package work for a kernel update', async () => {
    for (const script of [
      'yum install -y nginx',
      'apt-get update',
      'yum update -y --exclude=kernel*',
      'yum makecache',
    ]) {
      expect((await run(script)).status).toBe('Success');
    }
    expect(fx.world.instance('i-emu-web-1')?.stagedKernel).toBeUndefined();
  });

  it('gives exit codes and output as a shell would', async () => {
    expect(await run('exit 3')).toMatchObject({
      status: 'Failed',
      exitCode: 3,
      errorCode: 'ExitCodeNonzero',
    });
    expect(await run('false')).toMatchObject({ status: 'Failed', exitCode: 1 });
    expect(await run('echo one; exit 0; echo never')).toMatchObject({
      status: 'Success',
      output: 'one\n',
    });
    expect(await run('true && echo yes || echo no')).toMatchObject({
      output: 'yes\n',
      exitCode: 0,
    });
    expect(await run('false && echo yes || echo no')).toMatchObject({
      output: 'no\n',
      exitCode: 0,
    });
    expect(await run('false\necho "went on"')).toMatchObject({ output: 'went on\n', exitCode: 0 });
    expect(await run('set -e\nfalse\necho never')).toMatchObject({
      output: '',
      exitCode: 1,
      status: 'Failed',
    });
    expect(await run('uname -r | grep -q el7 && echo el7')).toMatchObject({ output: 'el7\n' });
    expect(await run("echo 'quoted  text' # a comment")).toMatchObject({
      output: 'quoted  text\n',
    });
    expect(await run('systemctl restart nginx\nsome-tool --flag')).toMatchObject({
      status: 'Success',
      output: '',
      exitCode: 0,
    });
  });

  it('honours the timeout', async () => {
    const started = Date.now();
    const outcome = await run('echo start; sleep 5; echo never', 0.3);
    expect(outcome).toMatchObject({
      status: 'Timeout',
      output: 'start\n',
      errorCode: 'ExecutionTimeout',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('ends the invocation, then reboots, for reboot / shutdown -r now / systemctl reboot', async () => {
    for (const [n, script] of [
      [8, 'yum update -y && reboot'],
      [9, 'shutdown -r now'],
      [10, 'systemctl reboot'],
    ] as const) {
      await fx.world.addInstance(instanceSpec(fx.block, n));
      const id = `i-emu-web-${n}`;
      const outcome = await run(script, 30, id);
      expect(outcome).toMatchObject({ status: 'Success', exitCode: 0 });
      await expect
        .poll(() => fx.world.instance(id)?.status, { timeout: 1000, interval: 5 })
        .not.toBe('Running');
      // While it reboots, Cloud Assistant cannot run anything there.
      expect(await run('uname -r', 30, id)).toMatchObject({
        status: 'Error',
        errorCode: 'InstanceNotRunning',
        errorInfo: 'the instance is not running when create task',
      });
      await expect
        .poll(() => fx.world.instance(id)?.status, { timeout: 5000, interval: 20 })
        .toBe('Running');
    }
    expect(fx.world.instance('i-emu-web-8')?.kernel).toBe(newKernel);
    // Just after Running the agent is still starting: the command waits for it, then runs.
    expect(await run('uname -r', 30, 'i-emu-web-8')).toMatchObject({
      status: 'Success',
      output: `${newKernel}\n`,
    });
  });

  it('reports an unknown instance as the API does', async () => {
    expect(await run('uname -r', 30, 'i-nope')).toMatchObject({
      status: 'Error',
      errorCode: 'InstanceNotExists',
    });
  });

  it('lists established connections on the app port with ss, peers as the app sees them', async () => {
    const countScript = "ss -Htn state established '( sport = :8080 )' | wc -l";
    expect(await run(countScript)).toMatchObject({ status: 'Success', output: '0\n' });
    const [host, port] = (fx.world.instance('i-emu-web-1')?.app ?? '').split(':') as [
      string,
      string,
    ];
    const socket = net.connect({ host, port: Number(port), localAddress: `${fx.block}.200` });
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write(`PROXY TCP4 198.51.100.9 ${host} 41000 8080\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n`);
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    try {
      expect(await run(countScript)).toMatchObject({ output: '1\n' });
      const table = (await run('ss -tn')).output;
      expect(table).toMatch(/^State\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port\n/);
      expect(table).toContain(`ESTAB   0   0   ${host}:8080   198.51.100.9:41000`);
      expect((await run('ss -tln')).output).toContain(`LISTEN   0   511   ${host}:8080`);
      expect((await run('netstat -tn')).output).toContain('198.51.100.9:41000    ESTABLISHED');
    } finally {
      socket.destroy();
    }
    await expect
      .poll(async () => (await run(countScript)).output, { timeout: 5000, interval: 20 })
      .toBe('0\n');
  });

  it('runs curl from the machine: localhost is its own app', async () => {
    const health = await run('curl -fsS http://localhost:8080/healthz');
    expect(health).toMatchObject({ status: 'Success', output: 'ok\n' });
    expect(await run("curl -s -o /dev/null -w '%{http_code}\\n' localhost:8080/")).toMatchObject({
      output: '200\n',
    });
    expect(await run('curl -sS localhost:9/')).toMatchObject({
      status: 'Failed',
      exitCode: 7,
      output: 'curl: (7) Failed connect to localhost:9; Connection refused\n',
    });
    expect(await run('curl -s http://www.example.com/')).toMatchObject({ exitCode: 6, output: '' });
    const head = await run('curl -sI localhost:8080/');
    expect(head.output).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head.output).toMatch(/server: nginx/i);
  });

  it('gives curl -f exit 22 on an error status, and the invocation timeout wins over a hung request', async () => {
    fx.world.injectFault({
      kind: 'health-flapping',
      instanceId: 'i-emu-web-2',
      periodSeconds: 5,
      seconds: 5,
    });
    try {
      expect(await run('curl -fsS localhost:8080/healthz', 30, 'i-emu-web-2')).toMatchObject({
        exitCode: 22,
        output:
          'curl: (22) The requested URL returned error: 503 Service Temporarily Unavailable\n',
      });
    } finally {
      fx.world.clearFaults();
    }
    expect(await run('curl -s localhost:8080/?delay_ms=3000', 0.3)).toMatchObject({
      status: 'Timeout',
    });
    expect(await run('curl -s -m 0.2 localhost:8080/?delay_ms=3000')).toMatchObject({
      status: 'Failed',
      exitCode: 28,
    });
  });
});
