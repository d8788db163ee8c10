import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalHost } from '#src/adapters/local/local-host.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { createSshHost } from '#src/adapters/ssh/index.js';
import type { Host } from '#src/ports/index.js';
import { generateKeys, startSshServer, type TestSshServer } from '#support/ssh-server.js';

/** The simulated machine: its boot id, and whether a reboot is under way. */
const machine = { bootId: 'boot-1', rebooting: false, answersOldBootFor: 300 };

let server: TestSshServer;
let dir: string;
let host: Host;

beforeAll(async () => {
  const keys = generateKeys();
  server = await startSshServer(keys, (command, channel, connection) => {
    if (command.includes('boot_id')) {
      channel.write(`${machine.bootId}\n`);
      channel.exit(0);
      channel.end();
      return true;
    }
    if (command.includes('reboot')) {
      // sshd dies with the old boot: the connection drops without an exit status. For a
      // moment the old boot still answers, then the new one does.
      machine.rebooting = true;
      connection.end();
      setTimeout(() => {
        machine.bootId = `${machine.bootId}+1`;
        machine.rebooting = false;
      }, machine.answersOldBootFor);
      return true;
    }
    return false;
  });
  dir = mkdtempSync(join(tmpdir(), 'drainctl-sshhost-'));
  writeFileSync(join(dir, 'known_hosts'), `${server.knownHostsLine}\n`);
  host = createSshHost({
    clock: systemClock,
    pollIntervalMs: 50,
    nodes: {
      'web-1': {
        host: '127.0.0.1',
        port: server.port,
        username: 'ops',
        privateKey: keys.clientPrivate,
        knownHostsPath: join(dir, 'known_hosts'),
        name: 'web-1',
        tags: { app: 'web' },
      },
    },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SSH Host adapter', () => {
  it('runs a command and returns its exit code and output', async () => {
    const ok = await host.runCommand('web-1', {
      script: 'echo "kernel $(echo 3.10)"',
      timeoutSeconds: 10,
    });
    expect(ok).toMatchObject({ status: 'success', exitCode: 0, output: 'kernel 3.10\n' });
    expect(ok.invocationId).toMatch(/^ssh-/);
    const failed = await host.runCommand('web-1', {
      script: "cd /tmp && echo out; echo 'it''s bad' >&2; exit 3",
      timeoutSeconds: 10,
    });
    expect(failed.status).toBe('failed');
    expect(failed.exitCode).toBe(3);
    expect(failed.output).toContain('out');
    expect(failed.output).toContain('its bad');
  });

  it('runs in the working directory it is given', async () => {
    const result = await host.runCommand('web-1', {
      script: 'pwd',
      timeoutSeconds: 10,
      workingDir: dir,
    });
    expect(result.output.trim()).toBe(dir);
  });

  it('a command that outlives its timeout is reported as a timeout', async () => {
    const result = await host.runCommand('web-1', {
      script: 'echo started; sleep 30',
      timeoutSeconds: 0.5,
    });
    expect(result).toMatchObject({ status: 'timeout', exitCode: null, output: 'started\n' });
  });

  it('describe and findByTags report a reachable node as Running', async () => {
    expect(await host.findByTags({ app: 'web' })).toEqual([
      {
        id: 'web-1',
        name: 'web-1',
        status: 'Running',
        privateIp: '127.0.0.1',
        tags: { app: 'web' },
      },
    ]);
    expect(await host.findByTags({ app: 'db' })).toEqual([]);
  });

  it('reboot tolerates the dropped connection; waitUntilRunning waits for the new boot', async () => {
    const before = machine.bootId;
    await host.reboot('web-1');
    const started = Date.now();
    const info = await host.waitUntilRunning('web-1', { timeoutMs: 10_000 });
    expect(info.status).toBe('Running');
    expect(machine.bootId).not.toBe(before);
    // It did not take the old boot's answer for the new one.
    expect(Date.now() - started).toBeGreaterThanOrEqual(machine.answersOldBootFor - 50);
  });

  it('waitUntilRunning gives up after its timeout with a clear error', async () => {
    machine.answersOldBootFor = 60_000;
    await host.reboot('web-1');
    await expect(host.waitUntilRunning('web-1', { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'HOST_NOT_RUNNING',
      message: expect.stringContaining('did not answer SSH on a new boot within'),
    });
  });

  it('an unknown instance id is an error naming the known ones', async () => {
    await expect(
      host.runCommand('web-9', { script: 'true', timeoutSeconds: 1 }),
    ).rejects.toMatchObject({
      code: 'HOST_NOT_FOUND',
      hint: 'known: web-1',
    });
  });
});

/**
 * Output beyond the 64 KiB a host keeps, whose cut falls 5 bytes into a secret: what is kept
 * starts at a line start, so the masking applied later cannot miss the secret's end.
 */
const STRADDLING =
  "printf 'Hunter2-x9'; head -c 65520 /dev/zero | tr '\\0' a; printf '\\nlast line\\n'";
const ONE_LONG_LINE = "printf 'Hunter2-x9'; head -c 65600 /dev/zero | tr '\\0' a";

describe('output cut at 64 KiB never starts inside a line (SSH and local)', () => {
  it.each(['ssh', 'local'] as const)('%s', async (kind) => {
    const target = kind === 'ssh' ? host : createLocalHost();
    const id = kind === 'ssh' ? 'web-1' : 'local';
    const cut = await target.runCommand(id, { script: STRADDLING, timeoutSeconds: 10 });
    expect(cut).toMatchObject({ status: 'success', output: '…last line\n' });
    const long = await target.runCommand(id, { script: ONE_LONG_LINE, timeoutSeconds: 10 });
    expect(long.output).toBe(
      '[… the last line of the output was longer than drainctl keeps; not shown]',
    );
    // Under the limit nothing is cut, whatever the lines.
    const whole = await target.runCommand(id, {
      script: STRADDLING.replace('65520', '100'),
      timeoutSeconds: 10,
    });
    expect(whole.output).toBe(`Hunter2-x9${'a'.repeat(100)}\nlast line\n`);
  });
});

describe('local Host adapter', () => {
  const local = createLocalHost();

  it('runs sh -c with exit code and output', async () => {
    expect(
      await local.runCommand('local', {
        script: 'echo hi; echo err >&2; exit 2',
        timeoutSeconds: 5,
      }),
    ).toMatchObject({
      status: 'failed',
      exitCode: 2,
      output: 'hi\nerr\n',
    });
  });

  it('kills a command at its timeout, children included', async () => {
    const started = Date.now();
    const result = await local.runCommand('local', {
      script: 'sleep 30 & sleep 30',
      timeoutSeconds: 0.3,
    });
    expect(result.status).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('never reboots the controller', async () => {
    await expect(local.reboot('local')).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });
});
