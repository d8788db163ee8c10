/**
 * The approval requests of this server, by the run id each will run under. A pending request is
 * passed through `expire` whenever it is read, so a request past its limit is recorded expired
 * the moment anyone looks. Every transition is logged with who and from where (the run's
 * journal takes over once the run starts: its plan entry names who asked and who approved).
 * In memory: a restart forgets pending requests, which then have to be asked again.
 */
import { type ApprovalState, expire } from '../../chat/index.js';
import type { Logger } from '../../log/index.js';

export class ApprovalBook {
  private readonly states = new Map<string, ApprovalState>();

  constructor(private readonly logger: Logger) {}

  read(runId: string, nowMs: number): ApprovalState | undefined {
    const state = this.states.get(runId);
    if (state === undefined) return undefined;
    const current = expire(state, nowMs);
    if (current !== state) this.record(current, 'the approval time limit passed');
    return current;
  }

  /** Stores the new state of a request and logs the transition. */
  record(state: ApprovalState, why: string): void {
    const previous = this.states.get(state.request.runId);
    this.states.set(state.request.runId, state);
    if (previous?.status === state.status && previous.request === state.request) return;
    const { request } = state;
    this.logger.info(
      {
        runId: request.runId,
        workflow: request.workflow,
        approval: state.status,
        requester: `${request.requester.platform}:${request.requester.userId}`,
        channel: request.channel,
        planSha256: request.plan.sha256,
        ...(state.status === 'approved' || state.status === 'executing'
          ? { approver: `${state.approver.platform}:${state.approver.userId}` }
          : {}),
        ...(state.status === 'denied'
          ? { deniedBy: `${state.deniedBy.platform}:${state.deniedBy.userId}` }
          : {}),
      },
      `chat approval of ${request.runId} (${request.workflow}): ${state.status} — ${why}`,
    );
  }

  /** Requests not yet decided, for `status` without a run id. */
  pending(nowMs: number): ApprovalState[] {
    return [...this.states.keys()]
      .map((runId) => this.read(runId, nowMs))
      .filter((state): state is ApprovalState => state?.status === 'pending');
  }
}
