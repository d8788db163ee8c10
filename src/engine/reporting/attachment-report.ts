/**
 * A fleet server's attachments in a report (`status`, `report`): each place its drain step names,
 * with the weight recorded before the drain and the last one this run set and saw confirmed.
 */
import type { PlanAttachment } from '../../plan/types.js';
import { attachmentKey, attachmentWeightKey } from '../journal/attachment-key.js';
import type { RunState } from '../journal/run-state.js';

/** One attachment of a fleet server in the report. */
export interface AttachmentReport {
  /** `lb-1` or `lb-1/rsp-2:8080` (journal/attachment-key.ts). */
  key: string;
  /** For people: `core (lb-core), vServer group api (rsp-1) port 8080`. */
  label: string;
  weightBefore: number;
  weightAfter: number;
}

/**
 * A fleet server's attachments as its drain step plans them, each with the weight recorded
 * before its drain and the last one confirmed since; nothing for a server of one balancer.
 */
export function attachmentsOf(
  state: RunState,
  node: string,
  planned: PlanAttachment[] | undefined,
): { attachments?: AttachmentReport[] } {
  if (planned === undefined) return {};
  const originals = state.nodes.get(node)?.originalWeights ?? {};
  return {
    attachments: planned.map((a) => {
      const key = attachmentKey(a);
      const before = originals[key] ?? a.weight;
      return {
        key,
        label: a.label,
        weightBefore: before,
        weightAfter: state.attachmentWeights.get(attachmentWeightKey(node, a)) ?? before,
      };
    }),
  };
}

/** Each fleet server's attachments, from its drain step (none in a plan of one balancer). */
export function fleetAttachments(state: RunState): Map<string, PlanAttachment[]> {
  const byNode = new Map<string, PlanAttachment[]>();
  for (const step of state.plan.steps) {
    if (step.action === 'node.drain' && step.node !== undefined && step.params.attachments)
      byNode.set(step.node, step.params.attachments);
  }
  return byNode;
}
