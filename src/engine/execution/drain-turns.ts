/**
 * Nodes of one batch leave service in the order of the runbook. Their waits, patches and
 * reboots run concurrently, but each node's drain decision (drift check, gate re-check, weight
 * to 0) waits until every earlier node of its batch has made its own. When the balancer has room
 * for only some of a batch, it is always the same ones — in a resumed run too — and an operator
 * reading the runbook knows which.
 */
import type { RunState } from '../journal/run-state.js';

export class DrainTurns {
  private readonly decided = new Map<string, { promise: Promise<void>; resolve: () => void }>();

  constructor(private readonly state: RunState) {}

  /** Resolves once every earlier node of `node`'s batch has decided its drain. */
  async waitTurn(node: string): Promise<void> {
    for (const earlier of this.earlierInBatch(node)) {
      if (!this.alreadyDecided(earlier)) await this.entry(earlier).promise;
    }
  }

  /** `node` has decided (drained, failed, stopped, or will not drain at all). */
  decide(node: string): void {
    this.entry(node).resolve();
  }

  private earlierInBatch(node: string): string[] {
    const { plan } = this.state;
    const batch = plan.nodes.find((n) => n.id === node)?.batch;
    const order = new Map<string, number>();
    for (const step of plan.steps) {
      if (step.phase !== 'rollout' || step.node === undefined || order.has(step.node)) continue;
      order.set(step.node, step.index);
    }
    const mine = order.get(node) ?? 0;
    return plan.nodes
      .filter((n) => n.batch === batch && n.id !== node && (order.get(n.id) ?? 0) < mine)
      .map((n) => n.id);
  }

  private alreadyDecided(node: string): boolean {
    const { state } = this;
    const record = state.nodes.get(node);
    if (record === undefined || record.state !== 'pending') return true;
    const drain = state.plan.steps.find((s) => s.action === 'node.drain' && s.node === node);
    // A drain that failed before a crash is tried again, so it has not decided yet.
    return drain === undefined || state.completedSteps.has(drain.id);
  }

  private entry(node: string) {
    let entry = this.decided.get(node);
    if (entry === undefined) {
      let resolve: () => void = () => {};
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      entry = { promise, resolve };
      this.decided.set(node, entry);
    }
    return entry;
  }
}
