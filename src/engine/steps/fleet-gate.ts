/**
 * The gate of a fleet server: every group it leaves observed now — each balancer's default
 * server group (its backends, health judged on the balancer's checking listeners) and each
 * vServer group (its members, healthy when every judged health entry of the balancer for that
 * server and member port is normal) — and decided by the fleet policy (policy/attachment-gates.ts):
 * minHealthy on each group, maxUnavailable for the run and on each balancer, group peers.
 * A group that cannot be observed blocks (fails closed).
 */
import { judgedHealth } from '../../listener/index.js';
import type { PlanAttachment, Step } from '../../plan/types.js';
import type { Listener, LoadBalancer } from '../../ports/index.js';
import type { RunContext } from '../execution/run-context.js';
import { attachmentKey, targetAttachment, weightKeyOf } from '../journal/attachment-key.js';
import { evaluateAttachmentGate, type ServerGroupObservation } from '../policy/attachment-gates.js';
import { type GateDecision, windowCheck } from '../policy/gates.js';
import { outOfService } from '../policy/node-machine.js';

type GateStep = Extract<Step, { action: 'gate' }>;

/** The attachments a node's drain takes it out of, when the plan is a fleet's. */
export function fleetAttachmentsOf(ctx: RunContext, node: string): PlanAttachment[] | undefined {
  const drain = ctx.state.plan.steps.find((s) => s.action === 'node.drain' && s.node === node);
  return drain?.action === 'node.drain' ? drain.params.attachments : undefined;
}

export async function decideFleetGate(
  ctx: RunContext,
  step: GateStep,
  node: string,
  attachments: readonly PlanAttachment[],
): Promise<GateDecision> {
  const intended = intendedWeights(ctx);
  const groups = await observeGroups(ctx, attachments, intended);
  // A peer may share none of this node's groups: each is observed on its own attachments.
  const peerGroups: Record<string, ServerGroupObservation[]> = {};
  for (const peer of step.params.groupPeers) {
    peerGroups[peer] = await observeGroups(ctx, fleetAttachmentsOf(ctx, peer) ?? [], intended);
  }
  const balancersOf = (id: string) => [
    ...new Set((fleetAttachmentsOf(ctx, id) ?? []).map((a) => a.loadBalancerId)),
  ];
  const out = [...ctx.state.nodes.values()]
    .filter((n) => n.id !== node && outOfService(n.state))
    .map((n) => ({ node: n.id, loadBalancerIds: balancersOf(n.id) }));
  const decision = evaluateAttachmentGate({
    node,
    groups,
    minHealthy: step.params.minHealthy,
    maxUnavailable: step.params.maxUnavailable,
    // The workflow has one maxUnavailable: it holds for the run and on each balancer.
    maxUnavailablePerBalancer: step.params.maxUnavailable,
    groupPeers: step.params.groupPeers,
    peerGroups,
    outOfService: out,
  });
  if (step.params.windowEnd === undefined) return decision;
  const window = windowCheck(
    {
      minHealthy: step.params.minHealthy,
      maxUnavailable: step.params.maxUnavailable,
      groupPeers: step.params.groupPeers,
      windowEnd: step.params.windowEnd,
      expectedNodeSeconds: step.params.expectedNodeSeconds,
    },
    ctx.ports.clock.now(),
  );
  const checks = [...decision.checks, window];
  const blocking = checks.find((check) => !check.passed);
  return {
    passed: blocking === undefined,
    checks,
    summary: blocking === undefined ? 'gate passed' : `gate blocked: ${blocking.detail}`,
  };
}

/**
 * The weight each of the run's open weight changes goes to, by server and attachment, taken
 * before the groups are read. A change journaled but not answered yet may not show in what is
 * read (its call waits to be merged with others', weight-writes.ts), so a member counts at the
 * lower of its read weight and its intended one: a drain under way is out already.
 */
function intendedWeights(ctx: RunContext): Map<string, number> {
  const intended = new Map<string, number>();
  for (const intent of ctx.state.pendingIntents.values()) {
    const { serverId } = intent.target;
    if (intent.op !== 'set-weight' || typeof serverId !== 'string') continue;
    const key = weightKeyOf(serverId, attachmentKey(targetAttachment(intent.target)));
    const weight = Number(intent.to.weight);
    intended.set(key, Math.min(intended.get(key) ?? weight, weight));
  }
  return intended;
}

async function observeGroups(
  ctx: RunContext,
  attachments: readonly PlanAttachment[],
  intended: ReadonlyMap<string, number>,
): Promise<ServerGroupObservation[]> {
  const weightOf = (serverId: string, read: number, at: PlanAttachment, port?: number) => {
    const key = weightKeyOf(
      serverId,
      attachmentKey({ ...at, ...(port === undefined ? {} : { port }) }),
    );
    return Math.min(read, intended.get(key) ?? read);
  };
  const observations: ServerGroupObservation[] = [];
  const groups = new Map<string, PlanAttachment>();
  for (const a of attachments) groups.set(`${a.loadBalancerId}/${a.vServerGroupId ?? ''}`, a);
  for (const [key, a] of groups) {
    const label = a.vServerGroupId === undefined ? a.label : a.label.replace(/ port \d+$/, '');
    try {
      const lb = ctx.ports.loadBalancer;
      const [health, listeners] = await Promise.all([
        lb.healthStatus(a.loadBalancerId),
        liveListeners(lb, a.loadBalancerId),
      ]);
      const judged = judgedHealth(health, listeners).entries;
      const healthy = (serverId: string, port?: number) => {
        const entries = judged.filter(
          (h) => h.serverId === serverId && (port === undefined || h.port === port),
        );
        return entries.length > 0 && entries.every((h) => h.health === 'normal');
      };
      if (a.vServerGroupId === undefined) {
        const backends = await lb.listBackends(a.loadBalancerId);
        observations.push({
          ok: true,
          key,
          loadBalancerId: a.loadBalancerId,
          label,
          members: backends.map((b) => ({
            serverId: b.serverId,
            weight: weightOf(b.serverId, b.weight, a),
            healthy: healthy(b.serverId),
          })),
        });
        continue;
      }
      const port = ctx.ports.attachments;
      if (port === undefined) throw new Error('no vServer group access was given to this run');
      const group = (await port.vServerGroups(a.loadBalancerId)).find(
        (g) => g.id === a.vServerGroupId,
      );
      if (group === undefined) throw new Error(`vServer group ${a.vServerGroupId} is gone`);
      observations.push({
        ok: true,
        key,
        loadBalancerId: a.loadBalancerId,
        label,
        members: group.members.map((m) => ({
          serverId: m.serverId,
          port: m.port,
          weight: weightOf(m.serverId, m.weight, a, m.port),
          healthy: healthy(m.serverId, m.port),
        })),
      });
    } catch (error) {
      observations.push({
        ok: false,
        key,
        loadBalancerId: a.loadBalancerId,
        label,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return observations;
}

/** Which listeners are running and check health decides which health entries count. */
export async function liveListeners(loadBalancer: LoadBalancer, id: string): Promise<Listener[]> {
  const info = await loadBalancer.describe(id);
  const found = await Promise.all(
    info.listeners.map((l) => loadBalancer.describeListener(id, l.port, l.protocol)),
  );
  return found.filter((l): l is Listener => l !== undefined);
}
