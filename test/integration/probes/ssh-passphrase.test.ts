/**
 * DRAINCTL_SSH_PASSPHRASE, end to end through the composition root (src/app/composition-root.ts), with an
 * encrypted client key against the in-process SSH server: both SSH uses — a host reached over
 * SSH and an access log tailed over SSH — connect with the variable set, and fail at once with
 * a clear, non-retryable error without it or with a wrong one. The passphrase never shows.
 * `drainctl watch ssh://…` (the real binary) reads it too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '#src/app/composition-root.js';
import { readEnvironment } from '#src/config/index.js';
import { createLogger, redactString } from '#src/log/index.js';
import { hostInstanceId } from '#src/plan/host-target.js';
import type { HostTarget } from '#src/plan/types.js';
import type { TrafficProbeConfig } from '#src/ports/index.js';
import { runDrainctl } from '#support/cli-runner.js';
import { generateKeys, startSshServer, type TestSshServer } from '#support/ssh-server.js';

const PASSPHRASE = 'night shift only 42';

let server: TestSshServer;
let dir: string;
let target: Extract<HostTarget, { kind: 'ssh' }>;
let logSource: TrafficProbeConfig;

/** ssh2 writes a malformed ed25519 key now and then (see ssh-server.ts): draw until it parses. */
function encryptedKeyPair(passphrase: string): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', {
      passphrase,
      cipher: 'aes256-cbc',
      rounds: 8, // bcrypt KDF rounds (ssh-keygen uses 16): cheaper on a shared box
    });
    const sound =
      !(ssh2.utils.parseKey(pair.private, passphrase) instanceof Error) &&
      !(ssh2.utils.parseKey(pair.public) instanceof Error);
    if (sound) return pair;
  }
}

beforeAll(async () => {
  const client = encryptedKeyPair(PASSPHRASE);
  server = await startSshServer({
    ...generateKeys(),
    clientPrivate: client.private,
    clientPublic: client.public,
  });
  dir = mkdtempSync(join(tmpdir(), 'drainctl-ssh-passphrase-'));
  writeFileSync(join(dir, 'known_hosts'), `${server.knownHostsLine}\n`);
  writeFileSync(join(dir, 'id_encrypted'), client.private, { mode: 0o600 });
  writeFileSync(join(dir, 'access.log'), '');
  target = {
    kind: 'ssh',
    address: '127.0.0.1',
    port: server.port,
    username: 'ops',
    privateKeyPath: join(dir, 'id_encrypted'),
    knownHostsPath: join(dir, 'known_hosts'),
  };
  logSource = {
    kind: 'access-log',
    source: {
      type: 'ssh',
      host: '127.0.0.1',
      port: server.port,
      username: 'ops',
      path: join(dir, 'access.log'),
      privateKeyPath: join(dir, 'id_encrypted'),
      knownHostsPath: join(dir, 'known_hosts'),
    },
    format: { kind: 'combined' },
    filter: {
      ignoreCidrs: [],
      ignorePaths: [],
      ignoreUserAgents: [],
      clientAddress: 'remote_addr',
    },
  };
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The engine's ports as `drainctl run` builds them, from this environment only. */
function portsWith(extra: Record<string, string>) {
  const env = { HOME: join(dir, 'home'), ...extra };
  return createRuntime({
    environment: readEnvironment(env, dir),
    region: 'cn-hangzhou',
    logger: createLogger({ level: 'silent' }),
    env,
  }).ports;
}

const echo = { script: 'echo unlocked', timeoutSeconds: 10 };

describe('DRAINCTL_SSH_PASSPHRASE opens an encrypted key for both SSH uses', () => {
  it('with the variable set: commands run over SSH and the access log is tailed over SSH', async () => {
    const ports = portsWith({ DRAINCTL_SSH_PASSPHRASE: PASSPHRASE });
    const result = await ports.host(target).runCommand(hostInstanceId(target), echo);
    expect(result).toMatchObject({ status: 'success', exitCode: 0 });
    expect(result.output.trim()).toBe('unlocked');

    const probe = await ports.trafficProbes('web-1', logSource);
    await probe.close();
    expect(server.commands.some((command) => command.includes('tail'))).toBe(true);
    // Registered as a secret: it is masked wherever it would appear.
    expect(redactString(`passphrase is ${PASSPHRASE}`)).not.toContain(PASSPHRASE);
  });

  it('without it: both fail at once, saying the key is encrypted and what to set', async () => {
    const ports = portsWith({});
    const expected = {
      code: 'SSH_KEY_ENCRYPTED',
      retryable: false,
      message: expect.stringContaining(`${join(dir, 'id_encrypted')} is encrypted`),
      hint: expect.stringContaining('DRAINCTL_SSH_PASSPHRASE'),
    };
    await expect(ports.host(target).runCommand(hostInstanceId(target), echo)).rejects.toMatchObject(
      expected,
    );
    await expect(ports.trafficProbes('web-1', logSource)).rejects.toMatchObject(expected);
    // A host waiting to come back does not mistake a locked key for a host still down.
    await expect(
      ports.host(target).waitUntilRunning(hostInstanceId(target), { timeoutMs: 30_000 }),
    ).rejects.toMatchObject({ code: 'SSH_KEY_ENCRYPTED' });
  });

  it('with a wrong one: a clear error that does not show the passphrase', async () => {
    const wrong = 'not the passphrase';
    const ports = portsWith({ DRAINCTL_SSH_PASSPHRASE: wrong });
    const error = await ports
      .host(target)
      .runCommand(hostInstanceId(target), echo)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SSH_KEY_PASSPHRASE_WRONG' });
    expect(String((error as Error).message)).not.toContain(wrong);
  });
});

describe('drainctl watch ssh:// with an encrypted --identity', () => {
  const watch = (env: Record<string, string>) =>
    runDrainctl(
      [
        'watch',
        `ssh://ops@127.0.0.1:${server.port}${join(dir, 'access.log')}`,
        '--identity',
        join(dir, 'id_encrypted'),
        '--known-hosts',
        join(dir, 'known_hosts'),
        '--quiet',
        '1',
        '--timeout',
        '10',
      ],
      { cwd: dir, env: { HOME: join(dir, 'home'), ...env }, timeoutMs: 30_000 },
    );

  it('follows the log with DRAINCTL_SSH_PASSPHRASE set', async () => {
    const result = await watch({ DRAINCTL_SSH_PASSPHRASE: PASSPHRASE });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(PASSPHRASE);
  });

  it('says what to set without it (exit 1)', async () => {
    const result = await watch({});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SSH_KEY_ENCRYPTED');
    expect(result.stderr).toContain('DRAINCTL_SSH_PASSPHRASE');
  });
});
