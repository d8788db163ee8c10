/**
 * The Host port on ECS: describe and find instances, run a shell script through Cloud
 * Assistant and wait for its end (a command that outlives its timeout is stopped), reboot, and
 * wait until an instance runs again — every wait on the injected clock.
 */
import { randomUUID } from 'node:crypto';
import { pollUntil } from '../../../clock/poll-until.js';
import { DrainctlError } from '../../../errors/index.js';
import type { Logger } from '../../../log/index.js';
import type {
  Clock,
  CommandRequest,
  CommandResult,
  Host,
  InstanceInfo,
  InstanceStatus,
} from '../../../ports/index.js';
import { AliyunApiError } from '../transport/cloud-error.js';
import type { EcsApi } from './ecs-client.js';
import { commandResultOf, decodeOutput } from './invocation-status.js';

export interface EcsWaits {
  /** First wait between two looks at a running command; doubles up to the max. */
  commandPollMs: number;
  commandPollMaxMs: number;
  /** Beyond the command's own timeout, how long Cloud Assistant may take to report its end. */
  commandGraceMs: number;
  /** How often waitUntilRunning looks. */
  statusPollMs: number;
  /** How long reboot() watches for the instance to leave Running. */
  rebootObserveMs: number;
}

export const DEFAULT_ECS_WAITS: EcsWaits = {
  commandPollMs: 1_000,
  commandPollMaxMs: 5_000,
  commandGraceMs: 30_000,
  statusPollMs: 2_000,
  rebootObserveMs: 30_000,
};

export class EcsHost implements Host {
  constructor(
    private readonly api: EcsApi,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly waits: EcsWaits = DEFAULT_ECS_WAITS,
  ) {}

  async describe(instanceIds: string[]): Promise<InstanceInfo[]> {
    if (instanceIds.length === 0) return [];
    const found = new Map((await this.api.describeInstances(instanceIds)).map((i) => [i.id, i]));
    return instanceIds.flatMap((id) => found.get(id) ?? []);
  }

  async findByTags(tags: Record<string, string>): Promise<InstanceInfo[]> {
    const instances = await this.api.describeInstancesByTags(tags);
    return instances.filter((i) => Object.entries(tags).every(([k, v]) => i.tags[k] === v));
  }

  async runCommand(
    instanceId: string,
    request: CommandRequest,
    signal?: AbortSignal,
  ): Promise<CommandResult> {
    const invokeId = await this.api.runCommand({
      instanceId,
      script: request.script,
      timeoutSeconds: request.timeoutSeconds,
      clientToken: `drainctl-${randomUUID()}`,
      ...(request.language !== undefined ? { language: request.language } : {}),
      ...(request.name !== undefined ? { name: request.name } : {}),
      ...(request.username !== undefined ? { username: request.username } : {}),
      ...(request.workingDir !== undefined ? { workingDir: request.workingDir } : {}),
    });
    const deadline =
      this.clock.monotonic() + request.timeoutSeconds * 1000 + this.waits.commandGraceMs;
    let interval = this.waits.commandPollMs;
    let lastOutput = '';
    try {
      for (;;) {
        signal?.throwIfAborted();
        const result = await this.api.describeInvocationResult(invokeId, instanceId);
        if (result !== undefined) {
          const done = commandResultOf(result, invokeId);
          if (done !== undefined) return done;
          lastOutput = decodeOutput(result.output);
        }
        const left = deadline - this.clock.monotonic();
        if (left <= 0) break;
        await this.clock.sleep(Math.min(interval, left), signal);
        interval = Math.min(interval * 2, this.waits.commandPollMaxMs);
      }
    } catch (error) {
      if (signal?.aborted) await this.stopQuietly(invokeId, instanceId);
      throw error;
    }
    const stopped = await this.stopQuietly(invokeId, instanceId);
    return {
      status: 'timeout',
      exitCode: null,
      output: lastOutput,
      errorInfo: `no end reported within ${request.timeoutSeconds} s (+${this.waits.commandGraceMs / 1000} s grace); ${stopped ? `drainctl stopped invocation ${invokeId}` : `stopping invocation ${invokeId} failed, it may still run`}`,
      invocationId: invokeId,
    };
  }

  async reboot(instanceId: string): Promise<void> {
    try {
      await this.api.rebootInstance(instanceId);
    } catch (error) {
      // After a timeout or 5xx only the instance can say whether the reboot began.
      if (
        !(error instanceof AliyunApiError) ||
        (error.httpStatus !== undefined && error.httpStatus < 500)
      ) {
        throw error;
      }
      if ((await this.status(instanceId)) === 'Running') throw error;
      return;
    }
    // Until the instance has left Running, waitUntilRunning would see the old boot.
    const left = await pollUntil(
      this.clock,
      { intervalMs: this.waits.statusPollMs, timeoutMs: this.waits.rebootObserveMs },
      async () => ((await this.status(instanceId)) === 'Running' ? undefined : true),
    );
    if (left === undefined) {
      this.logger.warn(
        { instanceId },
        `${instanceId} still reports Running ${this.waits.rebootObserveMs / 1000} s after RebootInstance; it may have rebooted faster than we looked`,
      );
    }
  }

  async waitUntilRunning(
    instanceId: string,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<InstanceInfo> {
    let last: InstanceStatus | undefined;
    const running = await pollUntil(
      this.clock,
      {
        intervalMs: this.waits.statusPollMs,
        timeoutMs: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      async () => {
        last = await this.status(instanceId);
        return last === 'Running' ? true : undefined;
      },
    );
    const [info] = running ? await this.describe([instanceId]) : [];
    if (info === undefined || info.status !== 'Running') {
      throw new DrainctlError(
        'HOST_NOT_RUNNING',
        `${instanceId} is not Running after ${Math.round(options.timeoutMs / 1000)} s (last status: ${last ?? 'unknown'})`,
        { hint: 'the node needs hands: check it in the ECS console (boot log, VNC)' },
      );
    }
    return info;
  }

  private async status(instanceId: string): Promise<InstanceStatus | undefined> {
    return (await this.api.describeInstanceStatus([instanceId])).get(instanceId);
  }

  /** A command we give up on is stopped; failing to stop it is reported, not thrown. */
  private async stopQuietly(invokeId: string, instanceId: string): Promise<boolean> {
    try {
      await this.api.stopInvocation(invokeId, instanceId);
      return true;
    } catch (error) {
      this.logger.warn({ invokeId, instanceId, err: error }, 'could not stop the invocation');
      return false;
    }
  }
}
