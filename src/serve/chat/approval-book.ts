/**
 * The approval requests of this server, by the run id each will run under. A pending request is
 * passed through `expire` whenever it is read, so a request past its limit is recorded expired
 * the moment anyone looks. Every transition is logged with who and from where (the run's
 * journal takes over once the run starts: its plan entry names who asked and who approved).
 * Each change is written through to the ApprovalStore (under DRAINCTL_HOME), so a restart of
 * serve forgets no request: `open` reads them back. Memory stays the authority within the
 * process (a transition is recorded before anything awaits), and the writes go in order.
 */
import type { ApprovalState, ChatRequest, ReplyHandle } from '../../chat/index.js';
import { expire } from '../../chat/index.js';
import type { Logger } from '../../log/index.js';
import type { ApprovalStore, StoredApproval } from './approval-store.js';

export class ApprovalBook {
  private readonly entries = new Map<string, StoredApproval>();
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly logger: Logger,
    private readonly store: ApprovalStore | undefined,
  ) {}

  /** The book with the requests `store` kept (none without a store: memory only). */
  static async open(logger: Logger, store: ApprovalStore | undefined, nowMs: number) {
    const book = new ApprovalBook(logger, store);
    for (const entry of (await store?.load(nowMs)) ?? []) {
      book.entries.set(entry.state.request.runId, entry);
    }
    return book;
  }

  read(runId: string, nowMs: number): ApprovalState | undefined {
    const state = this.entries.get(runId)?.state;
    if (state === undefined) return undefined;
    const current = expire(state, nowMs);
    if (current !== state) this.record(current, 'the approval time limit passed');
    return current;
  }

  /** The requester's message of a request (its thread hears the run's progress). */
  askedIn(runId: string): ChatRequest | undefined {
    return this.entries.get(runId)?.asked;
  }

  /** The requester's thread moved (a Slack answer outside a thread started one). */
  rethread(runId: string, reply: ReplyHandle): void {
    const entry = this.entries.get(runId);
    if (entry?.asked === undefined) return;
    this.put({ ...entry, asked: { ...entry.asked, reply } });
  }

  /**
   * Stores the new state of a request (with `asked`, the requester's message, when it is new)
   * and logs the transition.
   */
  record(state: ApprovalState, why: string, asked?: ChatRequest): void {
    const entry = this.entries.get(state.request.runId);
    const previous = entry?.state;
    const stored = asked ?? entry?.asked;
    this.put(stored === undefined ? { state } : { state, asked: stored });
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
    return [...this.entries.keys()]
      .map((runId) => this.read(runId, nowMs))
      .filter((state): state is ApprovalState => state?.status === 'pending');
  }

  /** Resolves once every change so far is in the store. */
  flushed(): Promise<void> {
    return this.writes;
  }

  private put(entry: StoredApproval): void {
    this.entries.set(entry.state.request.runId, entry);
    const { store } = this;
    if (store === undefined) return;
    this.writes = this.writes.then(() =>
      store.save(entry).catch((error: unknown) => {
        // The request still works in this process; only a restart would forget it.
        this.logger.warn(
          { err: error, runId: entry.state.request.runId },
          `chat: approval of ${entry.state.request.runId} not stored: a restart would forget it`,
        );
      }),
    );
  }
}
