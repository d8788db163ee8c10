/**
 * `drainctl emulator` as a user starts it: a real process in a working directory of its own,
 * state in ./.drainctl/emulator (where the example workflows expect the access logs), the
 * environment of .env.example with the endpoint it prints.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { binPath, repoRoot } from './cli-runner.js';

export interface EmulatorProcess {
  /** The working directory: run drainctl here so relative log paths resolve as documented. */
  dir: string;
  endpoint: string;
  /** .env.example, with DRAINCTL_CLOUD_ENDPOINT set to what the emulator printed. */
  env: Record<string, string>;
  state(): Promise<EmulatorStateView>;
  stop(): Promise<void>;
}

export interface EmulatorStateView {
  instances: Array<{ id: string; kernel: string; privateIp: string; accessLog: string }>;
  loadBalancers: Array<{
    id: string;
    address: string;
    backends: Array<{ serverId: string; weight: number }>;
  }>;
  records: Array<{ name: string; value: string; ttl: number }>;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'drainctl-example-'));
  const child: ChildProcess = spawn(process.execPath, [binPath, 'emulator', '--port', '0'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^endpoint=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}: ${stderr}`)));
  });
  const example = parseEnv(await readFile(join(repoRoot, '.env.example'), 'utf8')) as Record<
    string,
    string
  >;
  return {
    dir,
    endpoint,
    env: {
      ...example,
      DRAINCTL_CLOUD_ENDPOINT: endpoint,
      DRAINCTL_HOME: join(dir, '.drainctl'),
      DRAINCTL_LOG_LEVEL: 'warn',
    },
    async state() {
      return (await (await fetch(`${endpoint}/__emulator/state`)).json()) as EmulatorStateView;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
