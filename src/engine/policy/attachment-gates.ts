/**
 * Gates of a fleet, where one server leaves several groups at once (a balancer's default server
 * group, vServer groups): `minHealthy` is judged on each group the server leaves, since it may be
 * the last healthy member of one group while others stay healthy elsewhere; `maxUnavailable`
 * holds for the run and for each balancer; group peers are never out together. Pure, and fails
 * closed like evaluateGate: a group that could not be observed blocks.
 */
import type { GateCheck, GateDecision } from './gates.js';

/** One group as observed right before the decision: members by server, port, weight, health. */
export type ServerGroupObservation =
  | {
      ok: true;
      /** `lb-1` (default server group) or `lb-1/rsp-2` (a vServer group). */
      key: string;
      loadBalancerId: string;
      /** For people: `edge (lb-1), default server group`. */
      label: string;
      members: Array<{ serverId: string; port?: number; weight: number; healthy: boolean }>;
    }
  | { ok: false; key: string; loadBalancerId: string; label: string; error: string };

export interface AttachmentGateInput {
  node: string;
  /** Every group the node is attached to, observed now. */
  groups: ServerGroupObservation[];
  minHealthy: number;
  maxUnavailable: number;
  /** At most this many of the run's nodes out of service on one balancer. */
  maxUnavailablePerBalancer: number;
  groupPeers: string[];
  /**
   * Every group each peer is attached to in the plan, observed now (a peer may share none of
   * this node's groups). A peer serves only if it is seen healthy with a weight above 0 in every
   * group it is in and in at least one: a peer not seen, or in a group not read, counts as out.
   */
  peerGroups?: Readonly<Record<string, readonly ServerGroupObservation[]>>;
  /** Nodes of this run out of service right now, each with the balancers it is attached to. */
  outOfService: ReadonlyArray<{ node: string; loadBalancerIds: readonly string[] }>;
}

export function evaluateAttachmentGate(input: AttachmentGateInput): GateDecision {
  const { node } = input;
  const checks: GateCheck[] = [];
  for (const group of input.groups) {
    if (!group.ok) {
      checks.push({
        name: 'observe',
        passed: false,
        detail: `cannot evaluate the gate of ${group.label} (fails closed): ${group.error}`,
      });
      continue;
    }
    // A server in one group on two ports is one server leaving it.
    const remaining = new Set(
      group.members
        .filter((m) => m.serverId !== node && m.weight > 0 && m.healthy)
        .map((m) => m.serverId),
    );
    checks.push({
      name: 'min-healthy',
      passed: remaining.size >= input.minHealthy,
      detail: `${remaining.size} healthy weighted server(s) would remain in ${group.label} without ${node}, at least ${input.minHealthy} required`,
    });
  }
  const out = input.outOfService.filter((entry) => entry.node !== node);
  if (input.groupPeers.length > 0) {
    const peersOut = input.groupPeers.filter(
      (peer) =>
        out.some((entry) => entry.node === peer) ||
        !seenServing(peer, [...input.groups, ...(input.peerGroups?.[peer] ?? [])]),
    );
    checks.push({
      name: 'group',
      passed: peersOut.length === 0,
      detail:
        peersOut.length === 0
          ? `every group peer is serving (${input.groupPeers.join(', ')})`
          : `group peer(s) out of service or unhealthy: ${peersOut.join(', ')}`,
    });
  }
  checks.push({
    name: 'max-unavailable',
    passed: out.length + 1 <= input.maxUnavailable,
    detail: `${out.length} node(s) of this run out of service, at most ${input.maxUnavailable} with ${node}`,
  });
  const balancers = [...new Set(input.groups.map((group) => group.loadBalancerId))].sort();
  for (const loadBalancerId of balancers) {
    const there = out.filter((entry) => entry.loadBalancerIds.includes(loadBalancerId));
    checks.push({
      name: 'max-unavailable',
      passed: there.length + 1 <= input.maxUnavailablePerBalancer,
      detail: `${there.length} node(s) of this run out of service on ${loadBalancerId}, at most ${input.maxUnavailablePerBalancer} there with ${node}`,
    });
  }
  const blocking = checks.find((check) => !check.passed);
  return {
    passed: blocking === undefined,
    checks,
    summary: blocking === undefined ? 'gate passed' : `gate blocked: ${blocking.detail}`,
  };
}

/**
 * Fails closed like the single-balancer gate: a peer serves only when it is seen, and every
 * sight of it is healthy with a weight above 0; a group of its own that could not be read hides
 * it (own groups of this node that do not have it say nothing about it).
 */
function seenServing(peer: string, groups: readonly ServerGroupObservation[]): boolean {
  const sights = groups.flatMap((group) =>
    group.ok ? group.members.filter((m) => m.serverId === peer) : [],
  );
  const unread = groups.some((group) => !group.ok);
  return sights.length > 0 && !unread && sights.every((m) => m.weight > 0 && m.healthy);
}
