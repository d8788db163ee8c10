/**
 * Unreachable or unhealthy? A node that does not pass its health checks after its maintenance is
 * one or the other, and the person paged acts differently on each: an unreachable machine needs
 * its console (boot log, VNC); an unhealthy one is up and needs its service looked at. The
 * hypervisor's "Running" does not tell them apart (an OS that failed to boot runs as far as it
 * knows), so the rule asks the machine itself.
 *
 * The rule: a node is `unreachable` when nothing reached it — none of drainctl's own checks (HTTP,
 * TCP) ever got an answer from it, and its agent (Cloud Assistant, SSH) does not run a command.
 * Anything that answered shows the machine is up: it is `unhealthy`. Without a way to ask its
 * agent there is no proof it is down, and it stays `unhealthy`, with what its checks said.
 */
import type { CommandResult } from '../../ports/index.js';
import type { FailureOutcome } from './node-machine.js';

/** The command ran on the machine (any exit code): its agent answered. */
export function commandRan(result: CommandResult): boolean {
  return !(result.exitCode === null && (result.status === 'error' || result.status === 'timeout'));
}

export interface Reachability {
  /** Some check of drainctl's own got an answer from the node, at any time during the wait. */
  checkAnswered: boolean;
  /** Its agent ran a command; undefined when it could not be asked. */
  agentAnswered: boolean | undefined;
}

/** The failure outcome of a node that is not healthy: `no-boot` (unreachable) or `unhealthy`. */
export function notHealthyOutcome(
  found: Reachability,
): Extract<FailureOutcome, 'no-boot' | 'unhealthy'> {
  return !found.checkAnswered && found.agentAnswered === false ? 'no-boot' : 'unhealthy';
}
