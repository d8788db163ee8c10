/**
 * The Host port over SSH, for machines outside the cloud (or without Cloud Assistant): run a
 * command, reboot with `sudo`, wait until SSH answers again on a new boot. One connection per
 * operation: nothing is left open across a reboot.
 */
import { randomUUID } from 'node:crypto';
import { DrainctlError } from '../../errors/index.js';
import type {
  Clock,
  CommandRequest,
  CommandResult,
  Host,
  InstanceInfo,
} from '../../ports/index.js';
import { connectSsh, describeTarget, type SshTarget } from './ssh-connection.js';
import { type ExecResult, execCommand, shellQuote } from './ssh-exec.js';

export interface SshHostNode extends SshTarget {
  /** Shown as the instance name (default: the host). */
  name?: string;
  tags?: Record<string, string>;
}

export interface SshHostOptions {
  /** Instance id → how to reach it. */
  nodes: Record<string, SshHostNode>;
  clock: Clock;
  /** Handshake timeout per connection attempt (default 10 s). */
  connectTimeoutMs?: number;
  /** Between attempts while waiting for a rebooting host (default 5 s). */
  pollIntervalMs?: number;
  /** Default: `reboot` as root, else `sudo -n reboot` (no password prompt can hang a run). */
  rebootCommand?: string;
  env?: NodeJS.ProcessEnv;
}

const BOOT_ID = 'cat /proc/sys/kernel/random/boot_id 2>/dev/null || true';
const DEFAULT_REBOOT = 'if [ "$(id -u)" = 0 ]; then reboot; else sudo -n reboot; fi';

/**
 * @example
 *   const host = createSshHost({ clock: systemClock, nodes: { 'web-1': { host: '10.0.0.5', username: 'ops',
 *     knownHostsPath: '/home/ops/.ssh/known_hosts' } } });
 *   await host.runCommand('web-1', { script: 'uname -r', timeoutSeconds: 30 });
 */
export function createSshHost(options: SshHostOptions): Host {
  const bootIdBeforeReboot = new Map<string, string>();
  const target = (instanceId: string): SshHostNode => {
    const node = options.nodes[instanceId];
    if (node === undefined) {
      throw new DrainctlError('HOST_NOT_FOUND', `no SSH target configured for ${instanceId}`, {
        hint: `known: ${Object.keys(options.nodes).join(', ') || 'none'}`,
      });
    }
    return node;
  };
  const connect = (instanceId: string, signal?: AbortSignal) =>
    connectSsh(target(instanceId), {
      timeoutMs: options.connectTimeoutMs ?? 10_000,
      ...(signal ? { signal } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
  const info = (instanceId: string, status: InstanceInfo['status']): InstanceInfo => {
    const node = target(instanceId);
    return {
      id: instanceId,
      name: node.name ?? node.host,
      status,
      privateIp: node.host,
      tags: node.tags ?? {},
    };
  };
  /** Whether SSH answers now; rejects only for errors retrying cannot fix (host key, auth). */
  const reachable = async (
    instanceId: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> => {
    try {
      const client = await connect(instanceId, signal);
      try {
        const result = await execCommand(client, BOOT_ID, {
          timeoutMs: 10_000,
          ...(signal ? { signal } : {}),
        });
        return result.output.trim();
      } finally {
        client.end();
      }
    } catch (error) {
      if (error instanceof DrainctlError && !error.retryable) throw error;
      return undefined;
    }
  };

  const host: Host = {
    /** Ids without an SSH target are left out, as the cloud leaves out unknown instances. */
    async describe(instanceIds) {
      const known = instanceIds.filter((id) => options.nodes[id] !== undefined);
      return Promise.all(
        known.map(async (id) =>
          info(id, (await reachable(id)) === undefined ? 'Stopped' : 'Running'),
        ),
      );
    },

    async findByTags(tags) {
      const ids = Object.keys(options.nodes).filter((id) =>
        Object.entries(tags).every(([k, v]) => options.nodes[id]?.tags?.[k] === v),
      );
      return host.describe(ids);
    },

    async runCommand(instanceId, request: CommandRequest, signal): Promise<CommandResult> {
      const node = target(instanceId);
      // For the journal: which run of which command this was (SSH has no id of its own).
      const invocationId = `ssh-${randomUUID()}`;
      const client = await connect(instanceId, signal);
      try {
        const result = await execCommand(client, wrapScript(request, node.username), {
          timeoutMs: request.timeoutSeconds * 1000,
          ...(signal ? { signal } : {}),
        });
        return { ...commandResult(result, request, signal), invocationId };
      } finally {
        client.end();
      }
    },

    async reboot(instanceId) {
      const client = await connect(instanceId);
      try {
        const boot = await execCommand(client, BOOT_ID, { timeoutMs: 10_000 });
        if (boot.output.trim() !== '') bootIdBeforeReboot.set(instanceId, boot.output.trim());
        const result = await execCommand(client, options.rebootCommand ?? DEFAULT_REBOOT, {
          timeoutMs: 30_000,
        });
        // A reboot often takes the connection with it before an exit status: that is success.
        if (result.exitCode !== null && result.exitCode !== 0) {
          bootIdBeforeReboot.delete(instanceId);
          throw new DrainctlError(
            'REBOOT_FAILED',
            `reboot of ${instanceId} (${describeTarget(target(instanceId))}) failed with exit code ${result.exitCode}: ${lastLine(result.output)}`,
            { hint: 'the user needs passwordless sudo for reboot (sudo -n)' },
          );
        }
      } finally {
        client.end();
      }
    },

    async waitUntilRunning(instanceId, { timeoutMs, signal }) {
      const clock = options.clock;
      const started = clock.monotonic();
      const before = bootIdBeforeReboot.get(instanceId);
      for (;;) {
        signal?.throwIfAborted();
        const bootId = await reachable(instanceId, signal);
        // Until the boot id changes, SSH answering means the old boot is still shutting down.
        if (bootId !== undefined && (before === undefined || bootId === '' || bootId !== before)) {
          bootIdBeforeReboot.delete(instanceId);
          return info(instanceId, 'Running');
        }
        const elapsed = clock.monotonic() - started;
        if (elapsed >= timeoutMs) {
          throw new DrainctlError(
            'HOST_NOT_RUNNING',
            `${instanceId} (${describeTarget(target(instanceId))}) did not answer SSH${before ? ' on a new boot' : ''} within ${Math.round(timeoutMs / 1000)} s`,
            { retryable: false, hint: 'the node needs hands: console, boot log' },
          );
        }
        // Rejects with the signal's own reason, whatever the clock throws.
        await clock
          .sleep(Math.min(options.pollIntervalMs ?? 5000, timeoutMs - elapsed), signal)
          .catch((error: unknown) => {
            throw signal?.aborted ? signal.reason : error;
          });
      }
    },
  };
  return host;
}

function commandResult(
  result: ExecResult,
  request: CommandRequest,
  signal: AbortSignal | undefined,
): CommandResult {
  if (signal?.aborted) {
    return { status: 'cancelled', exitCode: null, output: result.output, errorInfo: 'aborted' };
  }
  if (result.timedOut) {
    const errorInfo = `no exit after ${request.timeoutSeconds} s`;
    return { status: 'timeout', exitCode: null, output: result.output, errorInfo };
  }
  if (result.exitCode === null) {
    const errorInfo = result.disconnected
      ? 'the connection was lost'
      : `killed by ${result.signal ?? 'a signal'}`;
    return { status: 'error', exitCode: null, output: result.output, errorInfo };
  }
  const status = result.exitCode === 0 ? 'success' : 'failed';
  return { status, exitCode: result.exitCode, output: result.output };
}

/** The script as a `sh -c` argument, in the working directory, as another user when asked. */
function wrapScript(request: CommandRequest, loginUser: string): string {
  const script = request.workingDir
    ? `cd ${shellQuote(request.workingDir)} && ${request.script}`
    : request.script;
  const command = `sh -c ${shellQuote(script)}`;
  if (request.username === undefined || request.username === loginUser) return command;
  return `sudo -n -u ${shellQuote(request.username)} ${command}`;
}

function lastLine(output: string): string {
  return output.trim().split('\n').at(-1) ?? '';
}
