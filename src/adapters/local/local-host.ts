/**
 * The Host port on the machine drainctl runs on, for `local` hooks (a script before or after a
 * node's maintenance). Runs commands with `sh -c`; it never reboots the controller.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DrainctlError } from '../../errors/index.js';
import { tailFromLineStart } from '../../log/index.js';
import type { CommandResult, Host, InstanceInfo } from '../../ports/index.js';
import { setLongTimeout } from '../long-timer.js';

/** The one instance id this host answers to. */
export const LOCAL_INSTANCE_ID = 'local';
const MAX_OUTPUT_BYTES = 64 * 1024;

/** @example await createLocalHost().runCommand('local', { script: 'echo hi', timeoutSeconds: 5 }) */
export function createLocalHost(options: { env?: NodeJS.ProcessEnv } = {}): Host {
  const self = (): InstanceInfo => ({
    id: LOCAL_INSTANCE_ID,
    name: hostname(),
    status: 'Running',
    privateIp: '127.0.0.1',
    tags: {},
  });
  const check = (instanceId: string) => {
    if (instanceId !== LOCAL_INSTANCE_ID) {
      throw new DrainctlError(
        'HOST_NOT_FOUND',
        `the local host is "${LOCAL_INSTANCE_ID}", not ${instanceId}`,
      );
    }
  };
  return {
    /** Any id but `local` is unknown here and left out, as the cloud leaves out unknown ids. */
    async describe(instanceIds) {
      return instanceIds.filter((id) => id === LOCAL_INSTANCE_ID).map(() => self());
    },
    async findByTags(tags) {
      return Object.keys(tags).length === 0 ? [self()] : [];
    },
    async runCommand(instanceId, request, signal) {
      check(instanceId);
      const result = await runLocal(request.script, {
        timeoutMs: request.timeoutSeconds * 1000,
        ...(request.workingDir ? { cwd: request.workingDir } : {}),
        ...(signal ? { signal } : {}),
        env: options.env ?? process.env,
      });
      return { ...result, invocationId: `local-${randomUUID()}` };
    },
    async reboot() {
      throw new DrainctlError('NOT_SUPPORTED', 'drainctl does not reboot the machine it runs on', {
        hint: 'reach the node through ECS Cloud Assistant or SSH',
      });
    },
    async waitUntilRunning(instanceId) {
      check(instanceId);
      return self();
    },
  };
}

function runLocal(
  script: string,
  options: { timeoutMs: number; cwd?: string; signal?: AbortSignal; env: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', script], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = Buffer.alloc(0);
    let truncated = false;
    const keep = (chunk: Buffer) => {
      output = Buffer.concat([output, chunk]);
      if (output.length > MAX_OUTPUT_BYTES) {
        output = output.subarray(output.length - MAX_OUTPUT_BYTES);
        truncated = true;
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let ended: 'timeout' | 'cancelled' | undefined;
    // Kill the whole process group: a script's children must not outlive its timeout.
    const kill = (why: 'timeout' | 'cancelled') => {
      ended ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setLongTimeout(() => kill('timeout'), options.timeoutMs);
    const onAbort = () => kill('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      timer.clear();
      resolve({ status: 'error', exitCode: null, output: '', errorInfo: error.message });
    });
    child.on('close', (code) => {
      timer.clear();
      options.signal?.removeEventListener('abort', onAbort);
      // Masked later: cut at a line start, never inside a secret (output-tail.ts).
      const text = tailFromLineStart(output, truncated);
      if (ended !== undefined) {
        resolve({
          status: ended,
          exitCode: null,
          output: text,
          errorInfo:
            ended === 'timeout' ? `no exit after ${options.timeoutMs / 1000} s` : 'aborted',
        });
      } else {
        resolve({ status: code === 0 ? 'success' : 'failed', exitCode: code, output: text });
      }
    });
  });
}
