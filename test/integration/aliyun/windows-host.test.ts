/**
 * A Windows instance through drainctl's ECS Host over HTTP: OSType windows in DescribeInstances,
 * PowerShell sent as RunPowerShellScript and interpreted (updates, Get-HotFix, the build, the
 * service), a shell script refused as not applicable, and the update's KBs listed once its build
 * has booted.
 */
import { describe, expect, it, vi } from 'vitest';
import { useAliyunEnv } from '#support/emulator-adapters.js';

const WINDOWS = 'i-emu-win-1';
const LINUX = 'i-emu-web-1';
const VERIFY =
  "(Get-HotFix -Id KB5040437 -ErrorAction SilentlyContinue | Sort-Object HotFixID).HotFixID -join ','\n(Get-Service -Name W3SVC).Status";

describe('a Windows instance through Cloud Assistant', () => {
  const env = useAliyunEnv({
    topology: {
      region: 'cn-hangzhou',
      appPort: 8080,
      instances: [{ id: LINUX }, { id: WINDOWS, name: 'win-1', windows: {} }],
    },
    timings: { packageUpdateSeconds: 0.1 },
  });
  const run = (script: string, language?: 'powershell') =>
    env().ports.host.runCommand(WINDOWS, {
      script,
      timeoutSeconds: 30,
      ...(language === undefined ? {} : { language }),
    });

  it('DescribeInstances names its OSType; Linux stays linux', async () => {
    const [linux, windows] = await env().ports.host.describe([LINUX, WINDOWS]);
    expect(linux?.osType).toBe('linux');
    expect(windows).toMatchObject({
      osType: 'windows',
      osName: 'Windows Server 2022 Datacenter 64bit',
    });
  });

  it('a shell script is not applicable to it', async () => {
    const result = await run('uname -r');
    expect(result.status).toBe('error');
    expect(result.errorInfo).toContain('does not apply to a Windows instance');
  });

  it('installs the update, which its KB and build show only after Restart-Computer', async () => {
    const before = await run(
      "(Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion').CurrentBuild\n(Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion').UBR",
      'powershell',
    );
    expect(before).toMatchObject({ status: 'success', output: '20348\n2527\n' });
    expect((await run(VERIFY, 'powershell')).output).toBe('\nRunning\n');
    const missing = await run('Get-HotFix -Id KB5040437', 'powershell');
    expect(missing.output).toContain('Cannot find the requested hotfix');

    const install = await run(
      "$ErrorActionPreference = 'Stop'; Install-WindowsUpdate -KBArticleID KB5040437 -AcceptAll -IgnoreReboot",
      'powershell',
    );
    expect(install).toMatchObject({ status: 'success', exitCode: 0 });
    expect(install.output).toContain('Installed      KB5040437');
    expect((await run(VERIFY, 'powershell')).output).toBe('\nRunning\n');

    await run('Restart-Computer -Force', 'powershell');
    await vi.waitFor(() => expect(env().emu.state().instances[1]?.status).not.toBe('Running'), {
      timeout: 5_000,
    });
    await env().ports.host.waitUntilRunning(WINDOWS, { timeoutMs: 10_000 });
    // The service comes up a little after the instance is Running.
    await vi.waitFor(
      async () => expect((await run(VERIFY, 'powershell')).output).toBe('KB5040437\nRunning\n'),
      { timeout: 10_000, interval: 100 },
    );
    expect(
      (await run('[System.Environment]::OSVersion.Version.ToString()', 'powershell')).output,
    ).toBe('10.0.20348.0\n');
    expect(
      (
        await run(
          "(Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion').UBR",
          'powershell',
        )
      ).output,
    ).toBe('2582\n');
  });
});
