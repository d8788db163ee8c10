import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, runDrainctl } from '#support/cli-runner.js';
import { Ecs, EcsClientClass, sdkConfig } from '#support/emulator-sdk.js';

describe('drainctl emulator', () => {
  let dir = '';
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
  });
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints endpoint= when ready, serves the SDKs, and stops cleanly on SIGTERM', async () => {
    const stateDir = join(dir, 'state');
    const proc = spawn(
      process.execPath,
      [binPath, 'emulator', '--port', '0', '--state', stateDir],
      {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const endpoint = await new Promise<string>((resolve, reject) => {
      proc.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^endpoint=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      proc.on('exit', (code) => reject(new Error(`exited with ${code} before ready: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) =>
      proc.on('exit', (code) => resolve(code)),
    );

    const port = Number(new URL(endpoint).port);
    const ecs = new EcsClientClass(
      sdkConfig({
        port,
        region: 'cn-hangzhou',
        credentials: {
          accessKeyId: 'LTAI5tEmulatorLocalOnly',
          accessKeySecret: 'emulator-local-secret',
        },
      }),
    );
    const instances = await ecs.describeInstances(
      new Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }),
    );
    expect(instances.body?.totalCount).toBe(4);
    const state = (await (await fetch(`${endpoint}/__emulator/state`)).json()) as {
      instances: { accessLog: string }[];
    };
    expect(state.instances[0]?.accessLog).toBe(
      join(stateDir, 'instances', 'i-emu-web-1', 'access.log'),
    );
    // Then the mock chat receivers, on free ports beside --port 0, each recording what it gets.
    await expect.poll(() => stdout.trim().split('\n').length).toBe(6);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(`endpoint=${endpoint}`);
    expect(lines.slice(1).map((l) => l.split('=')[0])).toEqual([
      'receiver.dingtalk',
      'receiver.feishu',
      'receiver.wecom',
      'receiver.slack',
      'receiver.webhook',
    ]);
    const webhook = new URL(lines[5]?.slice('receiver.webhook='.length) ?? '');
    expect(webhook.pathname).toBe('/hooks/drainctl-example-token');
    const admin = `${webhook.origin}/_admin/messages`;
    expect(await (await fetch(admin)).json()).toEqual([]);
    expect(stderr).toContain('i-emu-web-1');
    expect(stderr).toContain(`export DRAINCTL_CLOUD_ENDPOINT=${endpoint}`);
    expect(stderr).toMatch(/DNS server \(UDP\) 127\.\d+\.\d+\.53:\d+/);

    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('emulator stopped');
    await expect(fetch(`${endpoint}/__emulator/state`)).rejects.toThrow();
    await expect(fetch(admin)).rejects.toThrow();
  });

  it('an invalid topology exits 3 naming the file and the path', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'instances:\n  - id: web-1\n');
    const run = await runDrainctl(['emulator', '--port', '0', '--topology', file]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`${file}: instances[0].id`);
    expect(run.stdout).toBe('');
  });
});
