/**
 * What a runbook reader should know about ramping behind the balancer's listeners. A layer-4
 * (TCP) listener picks a backend per connection, not per request: a weight change moves no open
 * connection. So a server the ramp pulls back to weight 0 for its 5xx keeps answering the
 * keep-alive connections clients opened to it during the ramp, until it or they close them —
 * errors the ramp's own tally (which ends at the pull-back) never counts — unless the workflow's
 * `drain.releaseConnections` makes it let them go right after the pull-back. Pure.
 */
import type { ListenerConfig } from '../ports/index.js';
import type { StepDraft } from './step-draft.js';

export function rampNotes(
  listeners: readonly ListenerConfig[],
  steps: readonly StepDraft[],
): string[] {
  const watched = steps.some(
    (step) => step.action === 'node.restore' && step.params.probe.kind !== 'none',
  );
  const tcp = listeners.filter((listener) => listener.protocol === 'tcp');
  if (!watched || tcp.length === 0) return [];
  const names = tcp.map((listener) => `${listener.port}/tcp`).join(', ');
  // The command the engine runs right after a pull-back, if the workflow gives one.
  const [command] = steps.flatMap((step) =>
    step.action === 'node.restore' && step.params.releaseConnections !== undefined
      ? [step.params.releaseConnections.command]
      : [],
  );
  const keepSmall =
    command === undefined
      ? 'An http listener, or short keep-alive limits on the servers (nginx keepalive_requests, keepalive_timeout), keep that small'
      : `Right after a pull-back drainctl runs \`${command}\` on the server (drain.releaseConnections), which closes them once their request in progress is answered`;
  return [
    `Servers ramp back behind a layer-4 listener (${names}): weight 0 moves no open connection, so a server pulled back for its 5xx during a ramp keeps answering the keep-alive connections clients opened to it until it or they close them — clients can see more 5xx than the ramp counted. ${keepSmall} (docs/engine.md, "Pulled back behind a TCP listener").`,
  ];
}
