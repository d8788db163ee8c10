/**
 * Commands sent through Cloud Assistant (ECS RunCommand) carry their timeout to the API, which
 * refuses a Timeout below 10 seconds: a workflow asking for less would be accepted here and fail
 * at 3 am on the first server. Refused when planning instead.
 */
import type { RawIssue } from '../issue.js';
import type { Check } from './check-context.js';

/** RunCommand's smallest Timeout, in seconds. */
export const CLOUD_ASSISTANT_MIN_TIMEOUT_SECONDS = 10;

export const checkCloudAssistantTimeouts: Check = ({ doc }) => {
  const { access, patch, hooks, gates, drain } = doc;
  const anyViaEcs =
    access.via === 'ecs' ||
    Object.values(access.nodes).some((node) => (node.via ?? access.via) === 'ecs');
  if (!anyViaEcs) return [];
  const min = CLOUD_ASSISTANT_MIN_TIMEOUT_SECONDS;
  const expected = `at least ${min} seconds (Cloud Assistant's minimum command timeout; servers are reached via ecs)`;
  const issues: RawIssue[] = [];
  const check = (value: number, path: (string | number)[]) => {
    if (value < min) issues.push({ path, expected, found: String(value) });
  };
  if (patch.commands.length > 0) check(patch.timeoutSeconds, ['patch', 'timeoutSeconds']);
  if (patch.verify !== false) {
    check(patch.verify.timeoutSeconds, ['patch', 'verify', 'timeoutSeconds']);
  }
  patch.neededWhen.forEach((needed, index) => {
    check(needed.timeoutSeconds, ['patch', 'neededWhen', index, 'timeoutSeconds']);
  });
  for (const when of ['before', 'after'] as const) {
    hooks[when].forEach((hook, index) => {
      if (hook.on === 'host') check(hook.timeoutSeconds, ['hooks', when, index, 'timeoutSeconds']);
    });
    gates[when].forEach((gate, index) => {
      if (gate.type === 'command' && gate.on === 'host') {
        check(gate.commandTimeoutSeconds, ['gates', when, index, 'commandTimeoutSeconds']);
      }
    });
  }
  if (drain.releaseConnections !== undefined) {
    check(drain.releaseConnections.timeoutSeconds, [
      'drain',
      'releaseConnections',
      'timeoutSeconds',
    ]);
  }
  return issues;
};
