/**
 * The workflow's patch kind `windows-update` as the patch the node steps run: the install
 * command (unless the workflow gives its own), and the verify that proves it — the KBs listed by
 * Get-HotFix after the restart and, when named, the service Running. The verify's pattern is
 * also what tells an already-updated server, which is then skipped before its drain.
 */
import type { PatchSpec, WindowsUpdateSpec } from '../workflow/index.js';
import type { FleetNode } from './fleet.js';
import type { PlanContext } from './plan-context.js';
import type { HostTarget } from './types.js';

const VERIFY_TIMEOUT_SECONDS = 60;

/** The patch as it runs: for `windows-update`, its commands and verify filled in. */
export function effectivePatch(patch: PatchSpec): PatchSpec {
  if (patch.kind !== 'windows-update' || patch.windows === undefined) return patch;
  const { windows } = patch;
  return {
    ...patch,
    commands: patch.commands.length > 0 ? patch.commands : [installCommand(windows)],
    verify: {
      command: verifyCommand(windows),
      expect: { matches: verifyPattern(windows) },
      timeoutSeconds: VERIFY_TIMEOUT_SECONDS,
    },
  };
}

/** PSWindowsUpdate's Install-WindowsUpdate; the restart is drainctl's own step, after it. */
function installCommand(windows: WindowsUpdateSpec): string {
  return `$ErrorActionPreference = 'Stop'; Install-WindowsUpdate -KBArticleID ${windows.kbs.join(',')} -AcceptAll -IgnoreReboot`;
}

function verifyCommand(windows: WindowsUpdateSpec): string {
  const hotfixes = `(Get-HotFix -Id ${windows.kbs.join(',')} -ErrorAction SilentlyContinue | Sort-Object HotFixID).HotFixID -join ','`;
  return windows.service === undefined
    ? hotfixes
    : `${hotfixes}\n(Get-Service -Name ${windows.service}).Status`;
}

/** Every KB, sorted as Sort-Object sorts them; then the service's status on its own line (CRLF or LF). */
function verifyPattern(windows: WindowsUpdateSpec): string {
  const kbs = [...windows.kbs].sort().join(',');
  return windows.service === undefined ? `^${kbs}$` : `^${kbs}\\r?\\nRunning$`;
}

/**
 * A `windows-update` node must be a Windows instance reached through Cloud Assistant: PowerShell
 * runs nowhere else drainctl reaches.
 */
export function windowsUpdateProblems(ctx: PlanContext, node: FleetNode, host: HostTarget): void {
  if (ctx.spec.patch.kind !== 'windows-update') {
    windowsCommandProblems(ctx, node);
    return;
  }
  if (node.instance.osType !== 'windows') {
    ctx.problems.add(
      ['patch', 'kind'],
      `Windows instances for windows-update`,
      `${node.id} has OSType ${node.instance.osType ?? 'unknown'}`,
    );
  } else if (host.kind !== 'ecs') {
    const own = ctx.spec.access.nodes[node.id]?.via !== undefined;
    ctx.problems.add(
      own ? ['access', 'nodes', node.id, 'via'] : ['access', 'via'],
      `ecs for ${node.id} (PowerShell through Cloud Assistant, for windows-update)`,
      host.kind,
    );
  }
}

/**
 * A Windows instance in a workflow of plain commands: what would only fail there at run time
 * (after its drain) is refused now — the default verify `uname -r`, and drain probes that run
 * `ss` or `tail` on the server. Its commands go as PowerShell (host-target.ts).
 */
function windowsCommandProblems(ctx: PlanContext, node: FleetNode): void {
  if (node.instance.osType !== 'windows') return;
  const { verify } = ctx.spec.patch;
  if (verify !== false && verify.command.trim() === 'uname -r') {
    ctx.problems.add(
      ['patch', 'verify', 'command'],
      `a PowerShell command for the Windows instance ${node.id} (or patch.kind: windows-update)`,
      'uname -r',
    );
  }
  const { probe } = ctx.spec.drain;
  if (probe.kind === 'connections' || (probe.kind === 'access-log' && probe.source === 'ssh')) {
    ctx.problems.add(
      ['drain', 'probe'],
      `access-log with source local, or none, for the Windows instance ${node.id} (it runs PowerShell, not ss or tail)`,
      probe.kind === 'connections' ? 'kind connections' : 'access-log with source ssh',
    );
  }
}
