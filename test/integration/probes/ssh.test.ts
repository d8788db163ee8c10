import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { connectSsh, type SshTarget } from '#src/adapters/ssh/index.js';
import { openAccessLogProbe } from '#src/probes/access-log/access-log-probe.js';
import { openSshFollower } from '#src/probes/access-log/ssh-follower.js';
import { createTrafficProbeFactory } from '#src/probes/traffic-probe-factory.js';
import { combinedLine } from '#support/access-log-lines.js';
import { collectingSink } from '#support/follower-sink.js';
import { ManualClock } from '#support/manual-clock.js';
import {
  generateKeys,
  startSshServer,
  type TestKeys,
  type TestSshServer,
} from '#support/ssh-server.js';
import { advance, until, untilAsleep } from '#support/waits.js';

let keys: TestKeys;
let server: TestSshServer;
let dir: string;
let knownHosts: string;
let target: SshTarget;

beforeAll(async () => {
  keys = generateKeys();
  server = await startSshServer(keys);
  dir = mkdtempSync(join(tmpdir(), 'drainctl-ssh-'));
  knownHosts = join(dir, 'known_hosts');
  writeFileSync(
    knownHosts,
    `# test\nother.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther\n${server.knownHostsLine}\n`,
  );
  writeFileSync(join(dir, 'id_test'), keys.clientPrivate, { mode: 0o600 });
  target = {
    host: '127.0.0.1',
    port: server.port,
    username: 'ops',
    privateKeyPath: join(dir, 'id_test'),
    knownHostsPath: knownHosts,
  };
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Do `action` every 100 ms until `check` holds: the remote tail needs a moment to start, and
 * only what is written after it started reaches the follower.
 */
async function eventually(check: () => boolean, action: () => void): Promise<void> {
  await vi.waitFor(
    () => {
      if (check()) return;
      action();
      throw new Error('not yet');
    },
    { timeout: 10_000, interval: 100 },
  );
}

describe('SSH host key verification', () => {
  it('accepts the key listed in known_hosts', async () => {
    const client = await connectSsh(target);
    client.end();
  });

  it('accepts a pinned SHA256 fingerprint without known_hosts', async () => {
    const { knownHostsPath: _, ...rest } = target;
    const client = await connectSsh({ ...rest, hostKeyFingerprint: keys.hostFingerprint });
    client.end();
  });

  it('refuses a host whose key differs from known_hosts, with a clear error', async () => {
    const other = generateKeys();
    const wrong = join(dir, 'known_hosts_wrong');
    writeFileSync(
      wrong,
      `[127.0.0.1]:${server.port} ssh-ed25519 ${other.hostBlob.toString('base64')}\n`,
    );
    await expect(connectSsh({ ...target, knownHostsPath: wrong })).rejects.toMatchObject({
      code: 'SSH_HOST_KEY_MISMATCH',
      message: expect.stringMatching(
        new RegExp(`presented ${keys.hostFingerprint.replace(/[+/]/g, '.')}.*Refusing to connect`),
      ),
    });
  });

  it('refuses a pinned fingerprint that does not match', async () => {
    const other = generateKeys();
    await expect(
      connectSsh({ ...target, hostKeyFingerprint: other.hostFingerprint }),
    ).rejects.toMatchObject({
      code: 'SSH_HOST_KEY_MISMATCH',
    });
  });

  it('a host missing from known_hosts, or no host key information at all, is an error', async () => {
    const empty = join(dir, 'known_hosts_empty');
    writeFileSync(empty, '');
    await expect(connectSsh({ ...target, knownHostsPath: empty })).rejects.toMatchObject({
      code: 'SSH_HOST_KEY_UNKNOWN',
      message: expect.stringContaining('not listed'),
    });
    const { knownHostsPath: _, ...rest } = target;
    await expect(connectSsh(rest, { env: { HOME: join(dir, 'nowhere') } })).rejects.toMatchObject({
      code: 'SSH_HOST_KEY_UNKNOWN',
      message: expect.stringContaining('no host key to verify against'),
    });
  });

  it('a key the server does not accept is an authentication error', async () => {
    const stranger = generateKeys();
    const { privateKeyPath: _, ...rest } = target;
    await expect(connectSsh({ ...rest, privateKey: stranger.clientPrivate })).rejects.toMatchObject(
      {
        code: 'SSH_AUTH_FAILED',
      },
    );
  });
});

describe('remote access log over SSH (tail -F)', () => {
  it('follows a growing file from its end, through a rename-and-create rotation', async () => {
    const log = join(dir, 'remote-access.log');
    writeFileSync(log, 'history that must not be replayed\n');
    const collected = collectingSink();
    const follower = await openSshFollower(target, log, collected.sink, { clock: systemClock });
    try {
      expect(follower.available).toBe(true);
      let n = 0;
      await eventually(
        () => collected.lines.length > 0,
        () => appendFileSync(log, `line ${n++}\n`),
      );
      expect(collected.lines).not.toContain('history that must not be replayed');
      renameSync(log, `${log}.1`);
      writeFileSync(log, '');
      await eventually(
        () => collected.lines.includes('after rotation'),
        () => appendFileSync(log, 'after rotation\n'),
      );
    } finally {
      await follower.close();
    }
  });

  it('the probe factory opens an SSH probe that counts remote requests', async () => {
    const log = join(dir, 'remote-probe.log');
    writeFileSync(log, '');
    const open = createTrafficProbeFactory({ clock: systemClock, tickMs: 100 });
    const probe = await open('web-1', {
      kind: 'access-log',
      source: {
        type: 'ssh',
        host: '127.0.0.1',
        port: server.port,
        username: 'ops',
        path: log,
        privateKeyPath: target.privateKeyPath,
        knownHostsPath: knownHosts,
      },
      format: { kind: 'combined' },
      filter: {
        ignoreCidrs: ['100.64.0.0/10'],
        ignorePaths: [],
        ignoreUserAgents: [],
        clientAddress: 'remote_addr',
      },
    });
    try {
      const writer = setInterval(
        () => appendFileSync(log, combinedLine('198.51.100.4', '/', 503)),
        50,
      );
      const sample = await probe
        .measureErrorRate({ seconds: 1.5 })
        .finally(() => clearInterval(writer));
      expect(sample.requests).toBeGreaterThan(0);
      expect(sample.rate).toBe(1);
    } finally {
      await probe.close();
    }
  });

  it('a remote line counts from when it arrives, not from the next poll: drained quietSeconds after it', async () => {
    const log = join(dir, 'remote-latency.log');
    writeFileSync(log, '');
    const clock = new ManualClock();
    const probe = await openAccessLogProbe({
      source: { type: 'ssh', host: '127.0.0.1', port: server.port, username: 'ops', path: log },
      format: { kind: 'combined' },
      filter: {
        ignoreCidrs: ['100.64.0.0/10'],
        ignorePaths: [],
        ignoreUserAgents: [],
        clientAddress: 'remote_addr',
      },
      clock,
      openRemote: (source, sink) => openSshFollower(target, source.path, sink, { clock }),
    });
    try {
      // The remote tail starts after the channel opens; health checks show when it is reading.
      await eventually(
        () => probe.tally.ignored > 0,
        () => appendFileSync(log, combinedLine('100.64.0.7', '/health')),
      );
      await clock.advance(5000);
      const done = probe.waitForDrain({ quietSeconds: 2, timeoutSeconds: 60 });
      await untilAsleep(clock, done); // the next poll is due at t = 6 s
      appendFileSync(log, combinedLine('198.51.100.4'));
      await until(() => probe.tally.real === 1); // the clock stands still at t = 5 s
      await advance(clock, 2000, done);
      expect(await done).toMatchObject({ outcome: 'drained', waitedSeconds: 2, realRequests: 1 });
    } finally {
      await probe.close();
    }
  });

  it('a host key mismatch stops the probe from opening', async () => {
    const other = generateKeys();
    const open = createTrafficProbeFactory({ clock: systemClock });
    await expect(
      open('web-1', {
        kind: 'access-log',
        source: {
          type: 'ssh',
          host: '127.0.0.1',
          port: server.port,
          username: 'ops',
          path: '/x',
          privateKeyPath: target.privateKeyPath,
          hostKeyFingerprint: other.hostFingerprint,
        },
        format: { kind: 'combined' },
        filter: {
          ignoreCidrs: [],
          ignorePaths: [],
          ignoreUserAgents: [],
          clientAddress: 'remote_addr',
        },
      }),
    ).rejects.toMatchObject({ code: 'SSH_HOST_KEY_MISMATCH' });
  });
});
