/**
 * The approval requests of this server, by the run id each will run under. A pending request is
 * passed through `expire` whenever it is read, so a request past its limit is recorded expired
 * the moment anyone looks. Every transition is logged with who and from where (the run's
 * journal takes over once the run starts: its plan entry names who asked and who approved).
 * The store is the authority (ApprovalStore: this process's memory and files, or the database
 * replicas share): every change is a compare-and-set on the version read, and a change that
 * lost to another is worked out again on the state the other left.
 */
import type { ApprovalState, ChatRequest, ReplyHandle, Transition } from '../../chat/index.js';
import { expire } from '../../chat/index.js';
import { DrainctlError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { ApprovalStore, StoredApproval } from './approval-store.js';

/** Changes of one request lost in a row before giving up: each loss means another one won. */
const MAX_ATTEMPTS = 10;

export class ApprovalBook {
  constructor(
    private readonly logger: Logger,
    private readonly store: ApprovalStore,
  ) {}

  /** A new request, with `asked`, the requester's message (its thread hears the run's progress). */
  async ask(state: ApprovalState, why: string, asked: ChatRequest): Promise<void> {
    if (!(await this.store.save({ state, asked }, 0))) {
      throw new DrainctlError(
        'CHAT_APPROVAL_EXISTS',
        `an approval request of run ${state.request.runId} exists already`,
      );
    }
    this.logTransition(state, why);
  }

  /** The request's state now (an expiry is recorded), or undefined when there is none. */
  async read(runId: string, nowMs: number): Promise<ApprovalState | undefined> {
    const changed = await this.change(
      runId,
      (state) => ({ ok: true, state: expire(state, nowMs) }),
      () => 'the approval time limit passed',
    );
    return changed?.state;
  }

  /**
   * Moves the request on by `step`, applied to its current state, and stores the state `step`
   * returns (whether it allowed the change or refused it: a refusal may record an expiry). When
   * another change was stored since the state was read (another replica, another message), the
   * state is read again and `step` applied to it, so of two decisions exactly one is stored and
   * the other is refused from the state the first left. Undefined when there is no such request.
   */
  async change(
    runId: string,
    step: (state: ApprovalState) => Transition,
    why: (transition: Transition) => string,
  ): Promise<Transition | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const found = await this.store.read(runId);
      if (found === undefined) return undefined;
      const transition = step(found.entry.state);
      if (transition.state === found.entry.state) return transition;
      if (await this.store.save({ ...found.entry, state: transition.state }, found.version)) {
        this.logTransition(transition.state, why(transition), found.entry.state);
        return transition;
      }
    }
    throw contended(runId);
  }

  /** The requester's message of a request (its thread hears the run's progress). */
  async askedIn(runId: string): Promise<ChatRequest | undefined> {
    return (await this.store.read(runId))?.entry.asked;
  }

  /** The requester's thread moved (a Slack answer outside a thread started one). */
  async rethread(runId: string, reply: ReplyHandle): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const found = await this.store.read(runId);
      if (found?.entry.asked === undefined) return;
      const entry: StoredApproval = { ...found.entry, asked: { ...found.entry.asked, reply } };
      if (await this.store.save(entry, found.version)) return;
    }
    throw contended(runId);
  }

  /** Requests not yet decided, for `status` without a run id. */
  async pending(nowMs: number): Promise<ApprovalState[]> {
    const waiting: ApprovalState[] = [];
    for (const { entry } of await this.store.pending()) {
      const state = await this.read(entry.state.request.runId, nowMs);
      if (state?.status === 'pending') waiting.push(state);
    }
    return waiting;
  }

  /** Resolves once every change so far is in the store. */
  flushed(): Promise<void> {
    return this.store.flushed();
  }

  private logTransition(state: ApprovalState, why: string, previous?: ApprovalState): void {
    if (
      previous?.status === state.status &&
      previous.request.plan.sha256 === state.request.plan.sha256 &&
      previous.request.requestedAtMs === state.request.requestedAtMs
    ) {
      return;
    }
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
}

function contended(runId: string): DrainctlError {
  return new DrainctlError(
    'CHAT_APPROVAL_CONTENDED',
    `the approval request of ${runId} changed ${MAX_ATTEMPTS} times while this change was made; try again`,
  );
}
