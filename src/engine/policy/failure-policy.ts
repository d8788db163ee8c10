/**
 * What happens to a node when one of its steps fails: the policy an on-call engineer expects,
 * as a pure table (tested in test/unit/engine/node-machine.test.ts, explained in
 * docs/engine.md). The executor carries it out; nothing here does I/O.
 *
 * The rule behind the table: a node whose host we have not changed yet is put back exactly as
 * it was found (its recorded weight); a node whose host we changed (a patch began) only returns
 * to service through the full proof (healthy, verified, ramp without errors), otherwise it stays
 * at weight 0 and is named with the reason, because putting an unproven machine back is how one
 * bad night becomes two.
 */
import {
  type FailureOutcome,
  hostTouched,
  type LeftOutReason,
  type NodeState,
} from './node-machine.js';

export type Disposition =
  /** The node never left service: nothing to undo. */
  | { kind: 'untouched' }
  /** The host is unchanged: set the weight straight back to the recorded original. */
  | { kind: 'roll-back' }
  /** Stays (or goes back) to weight 0, reported by name with the reason. */
  | { kind: 'leave-out'; reason: LeftOutReason; pullToZero: boolean }
  /** Back at its original weight already (an after-hook failed): it keeps serving, reported. */
  | { kind: 'keep-serving' };

/**
 * @param state where the node is when the step failed
 * @param serving whether its weight is back at the original (restore finished)
 */
export function dispositionFor(
  state: NodeState,
  outcome: FailureOutcome,
  serving: boolean,
): Disposition {
  if (state === 'pending') return { kind: 'untouched' };
  if (serving) return { kind: 'keep-serving' };
  // Someone else changed the weight (put the node back, or moved it): it is theirs now, we do
  // not touch it — neither its weight nor, from here on, its host.
  if (outcome === 'drift') return { kind: 'leave-out', reason: 'drift', pullToZero: false };
  // The API refused the first patch command before it ran: the host is as it was found.
  if (outcome === 'patch-refused') return { kind: 'roll-back' };
  if (!hostTouched(state)) return { kind: 'roll-back' };
  switch (outcome) {
    // A failed package transaction can leave libraries replaced under running processes; it
    // is rare and needs eyes, and the ramp's 5xx watch would not catch subtle breakage.
    case 'patch-failed':
    case 'unpatched':
      return { kind: 'leave-out', reason: 'unpatched', pullToZero: false };
    // Patched, not rebooted: clients were still arriving. It is at weight 0 (checked right
    // before the judgement); it may not serve unproven, and a reboot would cut them off.
    case 'traffic-at-reboot':
      return { kind: 'leave-out', reason: 'not-rebooted', pullToZero: false };
    case 'no-boot':
      return { kind: 'leave-out', reason: 'unreachable', pullToZero: false };
    case 'unhealthy':
      return { kind: 'leave-out', reason: 'unhealthy', pullToZero: false };
    // It was answering 5xx to real clients (or the service went bad with it back): back to 0.
    case 'bad-ramp':
    case 'bad-bake':
      return { kind: 'leave-out', reason: 'unhealthy', pullToZero: true };
    // Not proven either way, and once the run halts nobody watches its 5xx any more: left at a
    // ramp weight it would keep serving unwatched, the silent pass by another name.
    case 'unproven-ramp':
      return { kind: 'leave-out', reason: 'unproven', pullToZero: true };
    default:
      return { kind: 'leave-out', reason: 'error', pullToZero: true };
  }
}

/**
 * Does this failure roll a patch back, where the plan has a rollback? The patched server came
 * up but proved bad — unhealthy, not running what it should, or serving errors in its ramp —
 * and it can still run commands. A server that did not boot cannot be told to boot its old
 * kernel, and one whose patch failed half way needs eyes: they are left out as without one.
 */
export function rollsBackPatch(outcome: FailureOutcome): boolean {
  return (
    outcome === 'unhealthy' ||
    outcome === 'unpatched' ||
    outcome === 'bad-ramp' ||
    outcome === 'bad-bake'
  );
}

/**
 * Does this failure stop the rollout? Safety stops (gates, drift, aborts, unexpected errors, a
 * drain timeout whose policy is `halt`, traffic that did not stop before a reboot) always do; a
 * failed node does when `stopOnFailure`.
 */
export function haltsRollout(outcome: FailureOutcome, stopOnFailure: boolean): boolean {
  switch (outcome) {
    case 'gate-blocked':
    case 'drift':
    case 'aborted':
    case 'error':
    case 'drain-timeout':
    // Like a drain timeout: something sends traffic past the balancer, and a person should find
    // out what before more nodes leave service.
    case 'traffic-at-reboot':
    // A refusal (permissions, a bad request) would refuse the next node's patch just the same.
    case 'patch-refused':
    // The next node would meet the same quiet traffic and be left out too, one by one.
    case 'unproven-ramp':
    // The service went bad with the canary back: no other batch may follow.
    case 'bad-bake':
      return true;
    default:
      return stopOnFailure;
  }
}
