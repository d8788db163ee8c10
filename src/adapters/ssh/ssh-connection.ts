/**
 * Opening an SSH connection drainctl can trust: key authentication only, and the server's host
 * key checked against known_hosts or a pinned `SHA256:` fingerprint. Verification is never
 * skipped: with nothing to check against, connecting is an error that says what to configure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Client, ConnectConfig } from 'ssh2';
import { DrainctlError } from '../../errors/index.js';
import { registerSecret } from '../../log/index.js';
import { fingerprintOf, hostKeyAlgorithmsFor, knownHostKeys } from './known-hosts.js';

/** Where and as whom to connect, and how to know it is really that machine. */
export interface SshTarget {
  host: string;
  port?: number;
  username: string;
  /** Private key file; default: the agent ($SSH_AUTH_SOCK), then ~/.ssh/id_ed25519, id_ecdsa, id_rsa. */
  privateKeyPath?: string;
  /** Key text, for callers that hold it already (tests). */
  privateKey?: string | Buffer;
  /** Of an encrypted private key; given by the caller (drainctl reads DRAINCTL_SSH_PASSPHRASE). */
  passphrase?: string;
  /** known_hosts to verify the host key against; default ~/.ssh/known_hosts. */
  knownHostsPath?: string;
  /** Pinned host key fingerprint `SHA256:…`, instead of known_hosts. */
  hostKeyFingerprint?: string;
}

export interface ConnectOptions {
  /** Handshake and authentication must finish within this (default 15 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Environment for defaults ($SSH_AUTH_SOCK, $HOME); tests pass their own. */
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** The target as people write it: `user@host:port`. */
export function describeTarget(target: SshTarget): string {
  return `${target.username}@${target.host}:${target.port ?? 22}`;
}

/**
 * Connect, verify the host key, authenticate. Rejects with a DrainctlError whose code says
 * which step failed: SSH_HOST_KEY_UNKNOWN, SSH_HOST_KEY_MISMATCH, SSH_NO_KEY, SSH_KEY_ENCRYPTED
 * (no passphrase for an encrypted key), SSH_KEY_PASSPHRASE_WRONG, SSH_AUTH_FAILED,
 * SSH_CONNECT_FAILED (retryable).
 */
export async function connectSsh(target: SshTarget, options: ConnectOptions = {}): Promise<Client> {
  // Loaded by the first connection, not by every command that could open one. ssh2 is
  // CommonJS: Node only sees its default export.
  const ssh2 = (await import('ssh2')).default;
  const env = options.env ?? process.env;
  const port = target.port ?? 22;
  const where = describeTarget(target);
  let verifyFailure: DrainctlError | undefined;
  const verifier = hostKeyVerifier(target, port, env);
  const config: ConnectConfig = {
    host: target.host,
    port,
    username: target.username,
    readyTimeout: options.timeoutMs ?? 15_000,
    keepaliveInterval: 10_000,
    keepaliveCountMax: 3,
    ...authentication(target, env, ssh2.utils.parseKey),
    hostVerifier: (key: Buffer) => {
      verifyFailure = verifier.check(key);
      return verifyFailure === undefined;
    },
    ...(verifier.algorithms.length > 0
      ? { algorithms: { serverHostKey: verifier.algorithms as never } }
      : {}),
  };
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (error === undefined) {
        resolve(client);
        return;
      }
      client.end();
      reject(error);
    };
    const onAbort = () =>
      finish(
        options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'),
      );
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => finish());
    client.on('error', (error: Error & { level?: string }) => {
      if (verifyFailure !== undefined) return finish(verifyFailure);
      if (error.level === 'client-authentication') {
        return finish(
          new DrainctlError('SSH_AUTH_FAILED', `SSH ${where}: the server refused our key`, {
            cause: error,
            hint: 'check the user name, the key, and the authorized_keys on the host',
          }),
        );
      }
      finish(
        new DrainctlError('SSH_CONNECT_FAILED', `SSH ${where}: ${error.message}`, {
          cause: error,
          retryable: true,
        }),
      );
    });
    client.once('close', () =>
      finish(
        verifyFailure ??
          new DrainctlError(
            'SSH_CONNECT_FAILED',
            `SSH ${where}: connection closed during the handshake`,
            { retryable: true },
          ),
      ),
    );
    client.connect(config);
  });
}

interface Verifier {
  algorithms: string[];
  /** undefined when the key is the one expected, else the error to report. */
  check(key: Buffer): DrainctlError | undefined;
}

function hostKeyVerifier(target: SshTarget, port: number, env: NodeJS.ProcessEnv): Verifier {
  const where = describeTarget(target);
  if (target.hostKeyFingerprint !== undefined) {
    const pinned = target.hostKeyFingerprint.trim().replace(/=+$/, '');
    if (!pinned.startsWith('SHA256:')) {
      throw new DrainctlError(
        'SSH_HOST_KEY_UNKNOWN',
        `SSH ${where}: the pinned host key fingerprint must start with SHA256:`,
        {
          exitCode: 3,
          hint: 'ssh-keygen -lf <(ssh-keyscan HOST) prints it',
        },
      );
    }
    return {
      algorithms: [],
      check: (key) => {
        const presented = fingerprintOf(key);
        return presented === pinned
          ? undefined
          : new DrainctlError(
              'SSH_HOST_KEY_MISMATCH',
              `SSH ${where}: host key mismatch: the server presented ${presented}, the pinned fingerprint is ${pinned}. Refusing to connect (possible man-in-the-middle, or the host was reinstalled)`,
              { hint: 'verify the new key out of band before changing the pinned fingerprint' },
            );
      },
    };
  }
  const path = target.knownHostsPath ?? join(env.HOME ?? homedir(), '.ssh', 'known_hosts');
  if (!existsSync(path)) {
    throw new DrainctlError(
      'SSH_HOST_KEY_UNKNOWN',
      `SSH ${where}: no host key to verify against: ${path} does not exist and no fingerprint is pinned`,
      {
        hint: 'add the host with `ssh-keyscan -p PORT HOST >> ~/.ssh/known_hosts` (after checking it), or pin its SHA256: fingerprint',
      },
    );
  }
  const known = knownHostKeys(readFileSync(path, 'utf8'), target.host, port);
  if (known.keys.length === 0) {
    throw new DrainctlError(
      'SSH_HOST_KEY_UNKNOWN',
      `SSH ${where}: the host is not listed in ${path}; refusing to trust an unknown key`,
      {
        hint: 'add it with `ssh-keyscan` after checking the fingerprint, or pin its SHA256: fingerprint',
      },
    );
  }
  return {
    algorithms: hostKeyAlgorithmsFor(known.keys.map((k) => k.type)),
    check: (key) => {
      const blob = key.toString('base64');
      if (known.revoked.includes(blob)) {
        return new DrainctlError(
          'SSH_HOST_KEY_MISMATCH',
          `SSH ${where}: the server presented a key marked @revoked in ${path}`,
        );
      }
      if (known.keys.some((k) => k.blob === blob)) return undefined;
      return new DrainctlError(
        'SSH_HOST_KEY_MISMATCH',
        `SSH ${where}: host key mismatch: the server presented ${fingerprintOf(key)}, which is not the key listed in ${path}. Refusing to connect (possible man-in-the-middle, or the host was reinstalled)`,
        { hint: 'verify the new key out of band, then update known_hosts' },
      );
    },
  };
}

/** ssh2's key parser, which tells a key it cannot use before any connection is attempted. */
type ParseKey = typeof import('ssh2').utils.parseKey;

function authentication(
  target: SshTarget,
  env: NodeJS.ProcessEnv,
  parseKey: ParseKey,
): Partial<ConnectConfig> {
  const passphrase = target.passphrase;
  if (passphrase !== undefined) registerSecret(passphrase);
  const withKey = (privateKey: string | Buffer, source: string) => {
    checkKey(parseKey, privateKey, passphrase, source, target);
    return { privateKey, ...(passphrase ? { passphrase } : {}) };
  };
  if (target.privateKey !== undefined) return withKey(target.privateKey, 'the private key given');
  if (target.privateKeyPath !== undefined) {
    return withKey(
      readKey(target.privateKeyPath, target),
      `the private key ${target.privateKeyPath}`,
    );
  }
  if (env.SSH_AUTH_SOCK) return { agent: env.SSH_AUTH_SOCK };
  for (const name of DEFAULT_KEYS) {
    const path = join(env.HOME ?? homedir(), '.ssh', name);
    if (existsSync(path)) return withKey(readKey(path, target), `the private key ${path}`);
  }
  throw new DrainctlError(
    'SSH_NO_KEY',
    `SSH ${describeTarget(target)}: no private key: none given, no agent ($SSH_AUTH_SOCK), no ~/.ssh/id_ed25519, id_ecdsa or id_rsa`,
    {
      hint: 'pass the key file (privateKeyPath / --identity)',
    },
  );
}

/**
 * A key ssh2 cannot use would otherwise surface as a bare Error thrown inside the handshake,
 * which callers treat as "host not answering" and retry until a timeout. Say what is wrong,
 * once, and that retrying cannot fix it.
 */
function checkKey(
  parseKey: ParseKey,
  key: string | Buffer,
  passphrase: string | undefined,
  source: string,
  target: SshTarget,
): void {
  const parsed = parseKey(key, passphrase || undefined);
  if (!(parsed instanceof Error)) return;
  const where = describeTarget(target);
  const aboutPassphrase = /passphrase|decrypt|integrity/i.test(parsed.message);
  if (aboutPassphrase && !passphrase) {
    throw new DrainctlError(
      'SSH_KEY_ENCRYPTED',
      `SSH ${where}: ${source} is encrypted and no passphrase was given`,
      {
        hint: 'set DRAINCTL_SSH_PASSPHRASE to its passphrase (in the environment or .env), or load the key into ssh-agent',
        cause: parsed,
      },
    );
  }
  if (aboutPassphrase) {
    throw new DrainctlError(
      'SSH_KEY_PASSPHRASE_WRONG',
      `SSH ${where}: ${source} cannot be opened with the passphrase given (${parsed.message})`,
      {
        hint: 'check DRAINCTL_SSH_PASSPHRASE, and that the key file is the right one',
        cause: parsed,
      },
    );
  }
  throw new DrainctlError(
    'SSH_NO_KEY',
    `SSH ${where}: ${source} is not a private key drainctl can use (${parsed.message})`,
    { hint: 'use an OpenSSH or PEM private key (ed25519, ecdsa or rsa)', cause: parsed },
  );
}

function readKey(path: string, target: SshTarget): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new DrainctlError(
      'SSH_NO_KEY',
      `SSH ${describeTarget(target)}: cannot read the private key ${path}`,
      { cause: error },
    );
  }
}
