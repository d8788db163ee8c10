/**
 * Cross-field checks of the per-server steps: waits that can finish, a ramp that ends at full
 * weight, templates that name the server, and a patch that changes something.
 */

import type { RawIssue } from '../issue.js';
import { isPerNode, templateText, unknownPlaceholders } from '../path-template.js';
import type { Check, CheckContext } from './check-context.js';

export const checkDrain: Check = ({ doc, fleet }) => {
  const issues: RawIssue[] = [];
  const { drain } = doc;
  const probe = drain.probe;
  // `none` only waits `waitSeconds`: quietSeconds and timeoutSeconds mean nothing to it.
  if (probe.kind !== 'none' && drain.quietSeconds >= drain.timeoutSeconds) {
    issues.push({
      path: ['drain', 'quietSeconds'],
      expected: `fewer seconds than drain.timeoutSeconds (${drain.timeoutSeconds}), or no drain could ever finish`,
      found: String(drain.quietSeconds),
    });
  }
  if (probe.kind === 'access-log') {
    const unknown = unknownPlaceholders(probe.path);
    if (unknown.length > 0) {
      issues.push({
        path: ['drain', 'probe', 'path'],
        expected: 'placeholders among {instanceId}, {name}, {privateIp}',
        found: unknown.map((name) => `{${name}}`).join(', '),
      });
    } else if (probe.source === 'local' && !isPerNode(probe.path) && fleet?.length !== 1) {
      issues.push({
        path: ['drain', 'probe', 'path'],
        expected:
          'a path with {instanceId}, {name} or {privateIp} (one local path for every server would watch the wrong log)',
        found: JSON.stringify(templateText(probe.path)),
      });
    }
  }
  return issues;
};

export const checkHealthAndRestore: Check = ({ doc }) => {
  const issues: RawIssue[] = [];
  const { health, restore } = doc;
  const shortest = health.consecutiveSuccesses * health.intervalSeconds;
  if (shortest > health.timeoutSeconds) {
    issues.push({
      path: ['health', 'timeoutSeconds'],
      expected: `at least consecutiveSuccesses × intervalSeconds = ${shortest} seconds, or the check can never pass`,
      found: String(health.timeoutSeconds),
    });
  }
  restore.rampPercent.forEach((step, index) => {
    const previous = restore.rampPercent[index - 1];
    if (previous !== undefined && step <= previous) {
      issues.push({
        path: ['restore', 'rampPercent', index],
        expected: `a step above the one before (${previous}): steps ascend`,
        found: String(step),
      });
    }
  });
  const last = restore.rampPercent[restore.rampPercent.length - 1];
  if (last !== undefined && last !== 100) {
    issues.push({
      path: ['restore', 'rampPercent', restore.rampPercent.length - 1],
      expected: 'the last step to be 100 (the recorded weight in full)',
      found: String(last),
    });
  }
  return issues;
};

/**
 * The hot upgrade is the patch: it runs no commands, and a reboot would end the nginx it keeps
 * serving. Its settings go with it and nowhere else.
 */
function hotUpgradeIssues(patch: CheckContext['doc']['patch']): RawIssue[] {
  const issues: RawIssue[] = [];
  if (patch.kind !== 'nginx-hot-upgrade') {
    if (patch.nginx !== undefined) {
      issues.push({
        path: ['patch', 'nginx'],
        expected: "patch.kind: nginx-hot-upgrade beside it (it is the hot upgrade's settings)",
        found: `kind: ${patch.kind}`,
      });
    }
    return issues;
  }
  if (patch.nginx === undefined) {
    issues.push({
      path: ['patch', 'nginx'],
      expected: "the hot upgrade's settings {newBinary, url, …}",
      found: 'nothing',
    });
  }
  const unknown = patch.nginx === undefined ? [] : unknownPlaceholders(patch.nginx.url);
  if (unknown.length > 0) {
    issues.push({
      path: ['patch', 'nginx', 'url'],
      expected: 'placeholders among {instanceId}, {name}, {privateIp}',
      found: unknown.map((name) => `{${name}}`).join(', '),
    });
  }
  if (patch.commands.length > 0) {
    issues.push({
      path: ['patch', 'commands'],
      expected: 'no commands with kind nginx-hot-upgrade (the upgrade is the patch)',
      found: `${patch.commands.length} command(s)`,
    });
  }
  if (patch.reboot) {
    issues.push({
      path: ['patch', 'reboot'],
      expected:
        'false with kind nginx-hot-upgrade (a reboot would stop the nginx it keeps serving)',
      found: 'true (the default when not written)',
    });
  }
  if (patch.verify !== false && patch.verify.command.trim() === 'uname -r') {
    issues.push({
      path: ['patch', 'verify', 'command'],
      expected:
        'a command that tells the nginx binary (`nginx -v 2>&1`), or verify: false: a hot upgrade does not change the kernel',
      found: 'uname -r',
    });
  }
  return issues;
}

/**
 * A Windows update is proven by its KBs (and the service) after a restart: the verify is drainctl's
 * own, and without the restart the update's build never runs. The drain probes that run `ss` or
 * `tail` on the server would not run on Windows.
 */
function windowsUpdateIssues({ patch, drain }: CheckContext['doc']): RawIssue[] {
  if (patch.kind !== 'windows-update') {
    return patch.windows === undefined
      ? []
      : [
          {
            path: ['patch', 'windows'],
            expected: "patch.kind: windows-update beside it (it is the update's settings)",
            found: `kind: ${patch.kind}`,
          },
        ];
  }
  const issues: RawIssue[] = [];
  const { probe } = drain;
  if (probe.kind === 'connections' || (probe.kind === 'access-log' && probe.source === 'ssh')) {
    issues.push({
      path: ['drain', 'probe'],
      expected:
        'access-log with source local, or none, with kind windows-update (the server runs PowerShell, not ss or tail)',
      found: probe.kind === 'connections' ? 'kind connections' : 'access-log with source ssh',
    });
  }
  if (patch.windows === undefined) {
    issues.push({
      path: ['patch', 'windows'],
      expected: 'the updates to install {kbs: [KB…], service}',
      found: 'nothing',
    });
  }
  if (!patch.reboot) {
    issues.push({
      path: ['patch', 'reboot'],
      expected: 'true with kind windows-update (the update takes effect with the restart)',
      found: 'false',
    });
  }
  if (
    patch.verify === false ||
    patch.verify.command.trim() !== 'uname -r' ||
    patch.verify.expect !== 'changed'
  ) {
    issues.push({
      path: ['patch', 'verify'],
      expected:
        'no verify with kind windows-update (Get-HotFix for patch.windows.kbs, and Get-Service for its service, are the proof)',
      found: patch.verify === false ? 'false' : `command ${patch.verify.command}`,
    });
  }
  return issues;
}

export const checkPatchAndHooks: Check = ({ doc }) => {
  const issues: RawIssue[] = [];
  const { patch, hooks } = doc;
  const hookCount = hooks.before.length + hooks.after.length;
  const hotUpgrade = patch.kind === 'nginx-hot-upgrade';
  issues.push(...hotUpgradeIssues(patch));
  issues.push(...windowsUpdateIssues(doc));
  // The upgrade itself changes the binary, and a Windows update has its own install command and
  // proof: the next two are about commands and reboots.
  const ownPatch = hotUpgrade || patch.kind === 'windows-update';
  if (!ownPatch && patch.commands.length === 0 && !patch.reboot && hookCount === 0) {
    issues.push({
      path: ['patch'],
      expected: 'commands, reboot: true, or hooks (otherwise the rollout changes nothing)',
      found: 'no commands, reboot: false and no hooks',
    });
  } else if (
    !ownPatch &&
    patch.commands.length === 0 &&
    !patch.reboot &&
    patch.verify !== false &&
    patch.verify.expect === 'changed'
  ) {
    issues.push({
      path: ['patch', 'verify', 'expect'],
      expected: 'equals or matches (with no commands and no reboot, nothing can change the output)',
      found: 'changed',
    });
  }
  if (
    patch.verify !== false &&
    patch.verify.skipIfCompliant === true &&
    patch.verify.expect === 'changed' &&
    patch.neededWhen.length === 0
  ) {
    issues.push({
      path: ['patch', 'verify', 'skipIfCompliant'],
      expected:
        'verify.expect equals or matches, or patch.neededWhen checks (with changed alone there is nothing to tell a patched server from one that needs the patch)',
      found: 'true with expect: changed and no neededWhen',
    });
  }
  if (patch.verify === false && patch.neededWhen.length > 0) {
    issues.push({
      path: ['patch', 'neededWhen'],
      expected:
        'patch.verify on (the checks are asked with its baseline and judge an unchanged output; verify: false turns both off)',
      found: 'verify: false',
    });
  }
  issues.push(...rollbackProblems(doc));
  for (const when of ['before', 'after'] as const) {
    hooks[when].forEach((hook, index) => {
      const unknown = unknownPlaceholders(hook.command);
      if (unknown.length > 0) {
        issues.push({
          path: ['hooks', when, index, 'command'],
          expected: 'placeholders among {instanceId}, {name}, {privateIp}',
          found: unknown.map((name) => `{${name}}`).join(', '),
        });
      }
    });
  }
  return issues;
};

/**
 * A rollback proves the old version runs by the verify command's baseline, undoes patch
 * commands, and a kernel rollback takes effect only with a reboot; a fleet server's ramp is per
 * attachment, which a rollback does not yet ramp (nor does a fleet plan bake a canary).
 */
function rollbackProblems(doc: Parameters<Check>[0]['doc']): RawIssue[] {
  const issues: RawIssue[] = [];
  const fleet = !('loadBalancer' in doc) || doc.loadBalancer === undefined;
  if (doc.rollout.canary !== undefined && fleet) {
    issues.push({
      path: ['rollout', 'canary'],
      expected: 'a workflow with one loadBalancer (a fleet workflow has no canary yet)',
      found: 'a fleet workflow',
    });
  }
  const { rollback } = doc.patch;
  if (rollback === undefined) return issues;
  const path = ['patch', 'rollback'];
  if (doc.patch.commands.length === 0) {
    issues.push({ path, expected: 'patch.commands to roll back', found: 'no commands' });
  }
  if (doc.patch.verify === false) {
    issues.push({
      path,
      expected: 'patch.verify on (its baseline proves the old version runs again)',
      found: 'verify: false',
    });
  }
  if (rollback.kind === 'kernel' && !doc.patch.reboot) {
    issues.push({
      path: [...path, 'kind'],
      expected: 'patch.reboot: true (a kernel rollback takes effect with a reboot)',
      found: 'kernel with reboot: false',
    });
  }
  if (fleet) {
    issues.push({
      path,
      expected: 'a workflow with one loadBalancer (a fleet workflow has no rollback yet)',
      found: 'a fleet workflow',
    });
  }
  return issues;
}
