import { execFileSync } from 'node:child_process';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalHost } from '#src/adapters/local/local-host.js';
import type { CommandResult, Host } from '#src/ports/index.js';
import { createConnectionProbe } from '#src/probes/connections/connection-probe.js';
import { parseSsPeers, ssCommand } from '#src/probes/connections/ss-output.js';
import { ManualClock } from '#support/manual-clock.js';
import { advance } from '#support/waits.js';

const hasSs = (() => {
  try {
    execFileSync('ss', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('ss output', () => {
  it('peer addresses in every spelling, header and noise skipped', () => {
    const output = [
      'Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
      '0      0      10.0.0.5:8080      100.64.3.2:51234',
      '0      0      [::ffff:10.0.0.5]:8080 [::ffff:198.51.100.7]:40000',
      '0      0      [2001:db8::5]:8080 [2001:db8::9%eth0]:40001',
      '0      0      10.0.0.5:8080      203.0.113.1:5 users:(("nginx",pid=1,fd=3))',
      '',
    ].join('\n');
    expect(parseSsPeers(output)).toEqual([
      '100.64.3.2',
      '::ffff:198.51.100.7',
      '2001:db8::9',
      '203.0.113.1',
    ]);
  });
});

describe.skipIf(!hasSs)('connection probe with real ss on this machine', () => {
  let server: Server;
  let port: number;
  const clients: Socket[] = [];
  beforeEach(async () => {
    server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const open = () =>
    new Promise<Socket>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
      clients.push(socket);
    });

  it('counts established connections to the port, minus ignored sources', async () => {
    await open();
    await open();
    const host = createLocalHost();
    const result = await host.runCommand('local', { script: ssCommand(port), timeoutSeconds: 10 });
    expect(parseSsPeers(result.output)).toEqual(['127.0.0.1', '127.0.0.1']);

    const clock = new ManualClock();
    const busy = createConnectionProbe({
      host,
      nodeId: 'local',
      port,
      ignoreCidrs: [],
      clock,
      tickMs: 1000,
    });
    const progress: Array<number | undefined> = [];
    const done = busy.waitForDrain({
      quietSeconds: 2,
      timeoutSeconds: 3,
      onProgress: (p) => progress.push(p.connections),
    });
    await advance(clock, 3000, done);
    expect((await done).outcome).toBe('timeout');
    expect(progress).toEqual([2, 2, 2, 2]);

    // The same connections from an ignored range (the health checkers) do not hold the drain.
    const ignoring = createConnectionProbe({
      host,
      nodeId: 'local',
      port,
      ignoreCidrs: ['127.0.0.0/8'],
      clock,
    });
    const drained = ignoring.waitForDrain({ quietSeconds: 2, timeoutSeconds: 10 });
    await advance(clock, 2000, drained);
    expect(await drained).toMatchObject({ outcome: 'drained', waitedSeconds: 2 });
  });

  it('drains once the last connection has closed for quietSeconds', async () => {
    const socket = await open();
    const clock = new ManualClock();
    const host = createLocalHost();
    const probe = createConnectionProbe({
      host,
      nodeId: 'local',
      port,
      ignoreCidrs: [],
      clock,
      tickMs: 1000,
    });
    const done = probe.waitForDrain({ quietSeconds: 2, timeoutSeconds: 30 });
    await advance(clock, 2000, done);
    socket.destroy();
    // Until the kernel has taken the connection down, ss still lists it.
    await expect
      .poll(
        async () => {
          const ss = await host.runCommand('local', {
            script: ssCommand(port),
            timeoutSeconds: 10,
          });
          return parseSsPeers(ss.output);
        },
        { timeout: 5000, interval: 20 },
      )
      .toEqual([]);
    await advance(clock, 3000, done);
    expect(await done).toMatchObject({ outcome: 'drained', waitedSeconds: 4 });
  });
});

describe('connection probe failures', () => {
  const fakeHost = (result: CommandResult): Host =>
    ({ runCommand: async () => result }) as unknown as Host;

  it('ss missing on the node is an error, not a drain', async () => {
    const probe = createConnectionProbe({
      host: fakeHost({ status: 'failed', exitCode: 127, output: 'sh: ss: command not found' }),
      nodeId: 'i-1',
      port: 80,
      ignoreCidrs: [],
      clock: new ManualClock(),
    });
    await expect(probe.waitForDrain({ quietSeconds: 1, timeoutSeconds: 5 })).rejects.toMatchObject({
      code: 'PROBE_FAILED',
    });
  });

  it('a count that fails is not quiet: the wait times out', async () => {
    const clock = new ManualClock();
    const probe = createConnectionProbe({
      host: fakeHost({ status: 'timeout', exitCode: null, output: '' }),
      nodeId: 'i-1',
      port: 80,
      ignoreCidrs: [],
      clock,
    });
    const done = probe.waitForDrain({ quietSeconds: 2, timeoutSeconds: 6 });
    await advance(clock, 6000, done, 2000);
    expect((await done).outcome).toBe('timeout');
  });
});

describe('connection probe: judging again before a reboot (continueQuiet)', () => {
  /** A host whose `ss` shows `open.count` client connections. */
  const countingHost = (open: { count: number }): Host =>
    ({
      runCommand: async () => ({
        status: 'success',
        exitCode: 0,
        output: Array.from(
          { length: open.count },
          (_, i) => `0 0 10.0.0.5:8080 198.51.100.${i + 1}:4000${i}`,
        ).join('\n'),
      }),
    }) as unknown as Host;

  it('none open now: drained at once; some open: a whole quiet period after they close', async () => {
    const clock = new ManualClock();
    const open = { count: 0 };
    const probe = createConnectionProbe({
      host: countingHost(open),
      nodeId: 'i-1',
      port: 8080,
      ignoreCidrs: [],
      clock,
      tickMs: 1000,
    });
    const first = probe.waitForDrain({ quietSeconds: 2, timeoutSeconds: 30 });
    await advance(clock, 2000, first);
    expect((await first).outcome).toBe('drained');

    await clock.advance(60_000); // the patch: nothing is counted meanwhile
    const again = await probe.waitForDrain({
      quietSeconds: 2,
      timeoutSeconds: 30,
      continueQuiet: true,
    });
    expect(again).toMatchObject({ outcome: 'drained', waitedSeconds: 0 });

    open.count = 2; // clients that reach the server past the balancer
    const busy = probe.waitForDrain({ quietSeconds: 2, timeoutSeconds: 30, continueQuiet: true });
    await advance(clock, 1000, busy);
    open.count = 0;
    await advance(clock, 3000, busy);
    expect(await busy).toMatchObject({ outcome: 'drained', waitedSeconds: 3 });
  });
});
