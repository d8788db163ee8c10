/**
 * `patch.kind: windows-update` in the plan (workflows/windows-update.yaml): PowerShell through
 * Cloud Assistant on Windows instances, the install command and the Get-HotFix/Get-Service proof,
 * A/B pairs never in one batch, and a plan whose hash moves when the world it was made on moves.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { InvalidInputError } from '#src/errors/index.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import type { InstanceInfo } from '#src/ports/index.js';
import { balancer, emulatorWorld, instance } from '#support/observed-inventory.js';
import { loadExample } from '#support/workflows.js';

const example = loadExample('workflows/windows-update.yaml', { LOAD_BALANCER_ID: 'lb-emu-1' });
const IDS = [1, 2, 3, 4].map((n) => `i-emu-win-${n}`);

function windowsServer(n: number, overrides: Partial<InstanceInfo> = {}): InstanceInfo {
  return instance(n, {
    id: `i-emu-win-${n}`,
    name: `win-${n}`,
    osName: 'Windows Server 2022 Datacenter 64bit',
    osType: 'windows',
    tags: { app: 'iis', env: 'demo' },
    ...overrides,
  });
}

function world(instances = [1, 2, 3, 4].map((n) => windowsServer(n))) {
  return emulatorWorld({
    instances,
    loadBalancer: balancer(IDS.map((id) => ({ id, weight: 100 }))),
  });
}

const plan = planRollout(example.spec, world(), example.source, sha256Hex);

function problems(instances: InstanceInfo[], spec = example.spec): string[] {
  try {
    planRollout(spec, world(instances), example.source, sha256Hex);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      return error.issues.map((issue) => `${issue.path}: ${issue.expected} / ${issue.found}`);
    }
    throw error;
  }
  throw new Error('the plan was made');
}

describe('windows-update in the plan', () => {
  it('runs PowerShell through Cloud Assistant: the install, the restart, then Get-HotFix and Get-Service', () => {
    const steps = plan.steps.filter((s) => s.node === 'i-emu-win-1');
    const patch = steps.find((s) => s.action === 'node.patch');
    expect(patch?.params).toEqual({
      host: { kind: 'ecs', instanceId: 'i-emu-win-1', language: 'powershell' },
      commands: [
        "$ErrorActionPreference = 'Stop'; Install-WindowsUpdate -KBArticleID KB5040437 -AcceptAll -IgnoreReboot",
      ],
      timeoutSeconds: 3600,
    });
    const verify = steps.find((s) => s.action === 'node.verify');
    expect(verify?.params).toMatchObject({
      command:
        "(Get-HotFix -Id KB5040437 -ErrorAction SilentlyContinue | Sort-Object HotFixID).HotFixID -join ','\n(Get-Service -Name W3SVC).Status",
      expect: { kind: 'matches', pattern: '^KB5040437\\r?\\nRunning$' },
    });
    // The same proof finds a server already updated: it is asked first and skipped.
    expect(steps[0]?.action).toBe('node.capture-baseline');
    expect(steps.map((s) => s.action)).toContain('node.reboot');
    expect(renderRunbook(plan)).toContain('via Cloud Assistant (PowerShell)');
  });

  it('never puts both members of an A/B pair in one batch', () => {
    const batches = new Map<number, string[]>();
    for (const step of plan.steps) {
      if (step.action !== 'node.drain' || step.node === undefined) continue;
      batches.set(step.batch ?? 0, [...(batches.get(step.batch ?? 0) ?? []), step.node]);
    }
    expect([...batches.values()]).toEqual([
      ['i-emu-win-1'],
      ['i-emu-win-2', 'i-emu-win-3'],
      ['i-emu-win-4'],
    ]);
    // Each gate also asks live that no other member of its pair is out.
    const gate = plan.steps.find((s) => s.action === 'gate' && s.node === 'i-emu-win-2');
    expect(gate?.params).toMatchObject({ group: 'pair-1', groupPeers: ['i-emu-win-1'] });
  });

  it('has another sha256 when the world it was made on changed', () => {
    const again = planRollout(example.spec, world(), example.source, sha256Hex);
    expect(again.sha256).toBe(plan.sha256);
    const changed = world();
    changed.loadBalancer = balancer(
      IDS.map((id, index) => ({ id, weight: index === 3 ? 50 : 100 })),
    );
    expect(planRollout(example.spec, changed, example.source, sha256Hex).sha256).not.toBe(
      plan.sha256,
    );
  });

  it('refuses a Linux instance and a server reached over SSH', () => {
    expect(
      problems(
        [1, 2, 3].map((n) => windowsServer(n)).concat(windowsServer(4, { osType: 'linux' })),
      ),
    ).toEqual(['patch.kind: Windows instances for windows-update / i-emu-win-4 has OSType linux']);
    const overSsh = {
      ...example.spec,
      access: { ...example.spec.access, via: 'ssh' as const, ssh: { user: 'ops' } },
    };
    expect(
      problems(
        [1, 2, 3, 4].map((n) => windowsServer(n)),
        overSsh,
      )[0],
    ).toBe(
      'access.via: ecs for i-emu-win-1 (PowerShell through Cloud Assistant, for windows-update) / ssh',
    );
  });

  it('refuses plain commands on a Windows instance verified by uname -r, which only fails after the drain', () => {
    const commands = {
      ...example.spec,
      patch: {
        ...example.spec.patch,
        kind: 'commands' as const,
        windows: undefined,
        commands: ['Install-WindowsUpdate -AcceptAll -IgnoreReboot'],
      },
    };
    const windows = [1, 2, 3, 4].map((n) => windowsServer(n));
    expect(problems(windows, commands)[0]).toBe(
      'patch.verify.command: a PowerShell command for the Windows instance i-emu-win-1 (or patch.kind: windows-update) / uname -r',
    );
    const ownVerify = {
      ...commands,
      patch: {
        ...commands.patch,
        verify: { command: '(Get-HotFix).Count', expect: 'changed' as const, timeoutSeconds: 60 },
      },
    };
    expect(
      planRollout(ownVerify, world(windows), example.source, sha256Hex).steps.length,
    ).toBeGreaterThan(0);
  });
});
