/**
 * The workflow's patch kind `nginx-hot-upgrade` as plan steps, one per step of the upgrade, each
 * with its way back as its undo: what the runbook prints is what the engine runs
 * (src/engine/steps/nginx-upgrade-step.ts), step by step, journaled.
 */
import type { NginxHotUpgradeSpec } from '../workflow/index.js';
import { expandTemplate } from '../workflow/index.js';
import { formatDuration } from './describe.js';
import { SHORT_COMMAND_SECONDS } from './estimates.js';
import type { FleetNode } from './fleet.js';
import { describeHost, nodeLabel } from './host-target.js';
import { irreversible, READ_ONLY, type StepDraft } from './step-draft.js';
import type { HostTarget } from './types.js';
import { undoOf } from './undo.js';

const QUIT_REASON =
  'the old master has exited: going back now is another upgrade, to the old binary';

type StepPlace = { phase: 'rollout'; batch: number; node: string };

export function nginxUpgradeSteps(
  node: FleetNode,
  host: HostTarget,
  at: StepPlace,
  spec: NginxHotUpgradeSpec,
): StepDraft[] {
  const label = nodeLabel(node);
  const upgrade = {
    binary: spec.binary,
    newBinary: spec.newBinary,
    pidFile: spec.pidFile,
    url: expandTemplate(spec.url, {
      instanceId: node.id,
      name: node.name,
      ...(node.instance.privateIp === undefined ? {} : { privateIp: node.instance.privateIp }),
    }),
    stepTimeoutSeconds: spec.stepTimeoutSeconds,
  };
  const via = `on ${label} via ${describeHost(host)}`;
  const within = `within ${formatDuration(spec.stepTimeoutSeconds)}`;
  const wayBack = undoOf('node.nginx-upgrade', { label, binary: spec.binary, signalled: true });
  const step = (
    name: 'install' | 'usr2' | 'new-master' | 'winch' | 'quit-old',
    description: string,
    inverse: StepDraft['inverse'],
    expectedSeconds: number,
  ): StepDraft =>
    ({
      action: 'node.nginx-upgrade',
      params: { host, step: name, upgrade },
      ...at,
      description,
      mutates: name !== 'new-master',
      inverse,
      expectedSeconds,
    }) as StepDraft;
  return [
    step(
      'install',
      `nginx hot upgrade ${via}, install: copy ${spec.newBinary} over ${spec.binary} (renamed into place; the old one kept as ${spec.binary}.drainctl-old)`,
      undoOf('node.nginx-upgrade', { label, binary: spec.binary, signalled: false }),
      SHORT_COMMAND_SECONDS,
    ),
    step(
      'usr2',
      `nginx hot upgrade ${via}, usr2: USR2 to the master in ${spec.pidFile} (unless ${spec.pidFile}.oldbin already names a running one); the new master must run its workers ${within}, else the way back`,
      wayBack,
      SHORT_COMMAND_SECONDS,
    ),
    step(
      'new-master',
      `nginx hot upgrade ${via}, new-master: both masters run and ${upgrade.url} answers (below 400), else the way back`,
      READ_ONLY,
      SHORT_COMMAND_SECONDS,
    ),
    step(
      'winch',
      `nginx hot upgrade ${via}, winch: WINCH to the old master (${spec.pidFile}.oldbin); its workers must leave ${within} and ${upgrade.url} answer from the new workers alone, else the way back`,
      wayBack,
      SHORT_COMMAND_SECONDS,
    ),
    step(
      'quit-old',
      `nginx hot upgrade ${via}, quit-old: QUIT to the old master; it must exit ${within}; then ${spec.binary}.drainctl-old is removed`,
      irreversible(QUIT_REASON),
      SHORT_COMMAND_SECONDS,
    ),
  ];
}
