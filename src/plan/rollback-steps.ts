/**
 * A node's patch rollback as plan steps: a read-only step before the patch records what the
 * rollback returns to, and after the node's sequence the steps that run only when the patch is
 * rolled back (`rollback: true`) — the rollback commands, then the same reboot, health checks,
 * verify (now: the output is the baseline again) and ramp as the patch had. The patch step's
 * undo names them, so the runbook prints what the engine would do.
 */
import type { RollbackSpec } from '../workflow/index.js';
import { PATCH_COMMAND_SECONDS, SHORT_COMMAND_SECONDS } from './estimates.js';
import { irreversible, READ_ONLY, type StepDraft } from './step-draft.js';
import type { HostTarget, Step } from './types.js';
import { type Undo, undoOf } from './undo.js';

/** What a kernel rollback records before the patch, and the command that makes it boot again. */
const RUNNING_KERNEL = 'uname -r';
const SET_DEFAULT_KERNEL = 'grubby --set-default /boot/vmlinuz-{previous}';
/** What a packages rollback records before the patch, and how it returns there. */
const TRANSACTIONS = 'yum history list';
const ROLL_BACK_TRANSACTIONS = 'yum history rollback -y {previous}';

/** Where `{previous}` stands in a rollback command: what `node.rollback-point` recorded. */
export const PREVIOUS_PLACEHOLDER = '{previous}';

type At = { phase: 'rollout'; batch: number; node: string };

/** The rollback commands the workflow's `patch.rollback` stands for. */
export function rollbackCommands(spec: RollbackSpec): string[] {
  switch (spec.kind) {
    case 'kernel':
      return [SET_DEFAULT_KERNEL];
    case 'packages':
      return [ROLL_BACK_TRANSACTIONS];
    case 'custom':
      return spec.commands;
  }
}

/**
 * Before the patch: what the rollback returns to — the running kernel, the newest package
 * transaction, or (custom) the verify output.
 */
export function rollbackPointStep(
  spec: RollbackSpec,
  host: HostTarget,
  label: string,
  verifyCommand: string,
  at: At,
): StepDraft {
  const command =
    spec.kind === 'kernel'
      ? RUNNING_KERNEL
      : spec.kind === 'packages'
        ? TRANSACTIONS
        : verifyCommand;
  return {
    action: 'node.rollback-point',
    params: {
      host,
      command,
      timeoutSeconds: 60,
      ...(spec.kind === 'packages' ? { read: 'transaction-id' as const } : {}),
    },
    ...at,
    description: `Record \`${command}\` on ${label} as what a rollback of its patch returns to`,
    mutates: false,
    inverse: READ_ONLY,
    expectedSeconds: SHORT_COMMAND_SECONDS,
  };
}

/** The patch step's undo: its rollback, as the runbook prints it. */
export function patchUndo(spec: RollbackSpec, label: string): Undo<'node.patch'> {
  return undoOf('node.patch', { label, commands: rollbackCommands(spec), kind: spec.kind });
}

/**
 * The steps run only when the patch is rolled back: the rollback commands, then copies of the
 * node's own reboot, health checks and ramp, and its verify expecting the baseline again.
 */
export function rollbackSteps(
  spec: RollbackSpec,
  host: HostTarget,
  label: string,
  maintenance: readonly StepDraft[],
  at: At,
): StepDraft[] {
  const commands = rollbackCommands(spec);
  const only = `If ${label}'s patch is rolled back:`;
  const steps: StepDraft[] = [
    {
      action: 'node.rollback-patch',
      params: { host, kind: spec.kind, commands, timeoutSeconds: spec.timeoutSeconds },
      ...at,
      description: `${only} run on it ${commands.map((c) => `\`${c}\``).join(', then ')}, ${PREVIOUS_PLACEHOLDER} being what was recorded before its patch (within ${spec.timeoutSeconds} s; if the rollback fails it stays at weight 0, as without one)`,
      mutates: true,
      inverse: irreversible('the rollback of a patch is not rolled back'),
      expectedSeconds: Math.min(spec.timeoutSeconds, PATCH_COMMAND_SECONDS * commands.length),
      rollback: true,
    },
  ];
  for (const draft of maintenance) {
    const copy = rollbackCopy(draft, only);
    if (copy !== undefined) steps.push(copy);
  }
  return steps;
}

function rollbackCopy(draft: StepDraft, only: string): StepDraft | undefined {
  const lower = (text: string) => `${only} ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
  switch (draft.action) {
    case 'node.reboot':
    case 'node.wait-healthy':
      return { ...draft, description: lower(draft.description), rollback: true };
    case 'node.verify':
      return {
        ...draft,
        params: {
          host: draft.params.host,
          command: draft.params.command,
          expect: { kind: 'baseline' },
          timeoutSeconds: draft.params.timeoutSeconds,
        },
        description: `${only} check \`${draft.params.command}\` on it is the baseline again: it runs its old version (else it stays at weight 0)`,
        rollback: true,
      };
    case 'node.restore':
      return { ...draft, description: lower(draft.description), rollback: true };
    default:
      return undefined;
  }
}

/** The plan's estimates count the steps that run: not a rollback's. */
export function countedInEstimates(step: Pick<Step, 'rollback'>): boolean {
  return step.rollback !== true;
}
