/**
 * An SSH server on loopback for tests (ssh2's Server): public-key auth against one key, `exec`
 * runs the command with the local `sh -c` (so `tail -F` on a temp file is real), unless a test
 * handles a command itself (a reboot that drops the connection, a fixed boot id).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Connection, ServerChannel } from 'ssh2';
import ssh2 from 'ssh2';
import { fingerprintOf } from '#src/adapters/ssh/known-hosts.js';

export interface TestKeys {
  hostPrivate: string;
  hostBlob: Buffer;
  hostFingerprint: string;
  clientPrivate: string;
  clientPublic: string;
}

export function generateKeys(): TestKeys {
  const host = soundKeyPair();
  const client = soundKeyPair();
  const parsed = ssh2.utils.parseKey(host.public);
  if (parsed instanceof Error) throw parsed;
  const hostBlob = parsed.getPublicSSH();
  return {
    hostPrivate: host.private,
    hostBlob,
    hostFingerprint: fingerprintOf(hostBlob),
    clientPrivate: client.private,
    clientPublic: client.public,
  };
}

/**
 * ssh2's generateKeyPairSync('ed25519') writes a malformed key about once in 300 (a key whose
 * first byte is 0 loses it), which its own parser then rejects: draw again until both halves parse.
 */
function soundKeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    const sound = [pair.private, pair.public].every(
      (key) => !(ssh2.utils.parseKey(key) instanceof Error),
    );
    if (sound) return pair;
  }
}

/** Return true when the command was handled (the test wrote to and closed the channel). */
export type ExecHandler = (
  command: string,
  channel: ServerChannel,
  connection: Connection,
) => boolean;

export interface TestSshServer {
  port: number;
  /** `[127.0.0.1]:PORT ssh-ed25519 …` for a known_hosts file. */
  knownHostsLine: string;
  commands: string[];
  connections: Set<Connection>;
  /** Drop every connection, as a rebooting machine does. */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startSshServer(keys: TestKeys, onExec?: ExecHandler): Promise<TestSshServer> {
  const allowed = ssh2.utils.parseKey(keys.clientPublic);
  if (allowed instanceof Error) throw allowed;
  const commands: string[] = [];
  const connections = new Set<Connection>();
  const children = new Set<ChildProcess>();
  const server = new ssh2.Server({ hostKeys: [keys.hostPrivate] }, (connection) => {
    connections.add(connection);
    connection.on('close', () => connections.delete(connection));
    connection.on('error', () => {});
    connection.on('authentication', (ctx) => {
      if (
        ctx.method === 'publickey' &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.equals(allowed.getPublicSSH()) &&
        (ctx.signature === undefined ||
          allowed.verify(ctx.blob ?? Buffer.alloc(0), ctx.signature, ctx.hashAlgo) === true)
      ) {
        ctx.accept();
      } else {
        ctx.reject(['publickey']);
      }
    });
    connection.on('ready', () => {
      connection.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (accept, _reject, info) => {
          const channel = accept();
          commands.push(info.command);
          if (onExec?.(info.command, channel, connection)) return;
          const child = spawn('sh', ['-c', info.command], {
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
          });
          children.add(child);
          child.stdout.on('data', (chunk: Buffer) => channel.write(chunk));
          child.stderr.on('data', (chunk: Buffer) => channel.stderr.write(chunk));
          child.on('close', (code) => {
            children.delete(child);
            try {
              channel.exit(code ?? 1);
              channel.end();
            } catch {
              // the client went away first
            }
          });
          channel.on('close', () => killGroup(child));
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const blob = keys.hostBlob.toString('base64');
  const dropAll = () => {
    for (const connection of connections) connection.end();
    for (const child of children) killGroup(child);
  };
  return {
    port,
    knownHostsLine: `[127.0.0.1]:${port} ssh-ed25519 ${blob}`,
    commands,
    connections,
    dropAll,
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}

function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
