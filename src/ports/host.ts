/**
 * A machine drainctl patches: describe it, run a command and get its exit code and output,
 * reboot it, wait until it runs again. Implemented by ECS Cloud Assistant, SSH and the local
 * shell. Commands are data here; the adapter decides how they reach the machine.
 */

export type InstanceStatus = 'Pending' | 'Running' | 'Starting' | 'Stopping' | 'Stopped';

export interface InstanceInfo {
  id: string;
  name: string;
  status: InstanceStatus;
  /** Where drainctl reaches the service directly (health checks, SSH). */
  privateIp?: string;
  publicIp?: string;
  osName?: string;
  /** ECS's OSType: which script language Cloud Assistant runs on it. */
  osType?: 'linux' | 'windows';
  zoneId?: string;
  tags: Record<string, string>;
}

export interface CommandRequest {
  script: string;
  /** PowerShell for a Windows instance (Cloud Assistant's RunPowerShellScript); shell otherwise. */
  language?: 'shell' | 'powershell';
  timeoutSeconds: number;
  /** Shown in the cloud console / audit log. */
  name?: string;
  username?: string;
  workingDir?: string;
}

export type CommandStatus = 'success' | 'failed' | 'timeout' | 'error' | 'cancelled';

export interface CommandResult {
  status: CommandStatus;
  /** null when the command never produced one (timeout, error before start). */
  exitCode: number | null;
  /** Decoded text (the cloud sends Base64). May be truncated by the provider. */
  output: string;
  errorInfo?: string;
  /** Provider's id of the invocation (Cloud Assistant InvokeId) for audit. */
  invocationId?: string;
}

export interface Host {
  describe(instanceIds: string[]): Promise<InstanceInfo[]>;
  /** Instances carrying all of `tags`. */
  findByTags(tags: Record<string, string>): Promise<InstanceInfo[]>;
  runCommand(
    instanceId: string,
    request: CommandRequest,
    signal?: AbortSignal,
  ): Promise<CommandResult>;
  reboot(instanceId: string): Promise<void>;
  /** Resolves with the instance once it is Running; rejects after `timeoutMs`. */
  waitUntilRunning(
    instanceId: string,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<InstanceInfo>;
}
