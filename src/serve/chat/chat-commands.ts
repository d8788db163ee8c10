/**
 * A verified chat message, acted on: the one command grammar, the per-workflow authorization,
 * the two-person rule, then the same use cases the API calls (plan, start, abort, status), and
 * the answer sent into the message's thread. Runs it starts are watched and their progress told
 * in that thread. Every refusal is answered politely, saying what is lacking, and logged.
 */
import { newRunId, type Plan, renderRunbook, runStatus } from '../../app/index.js';
import {
  type ApprovalState,
  approvalTimeLimitMs,
  approve,
  authorize,
  beforeExecution,
  type ChatCommand,
  type ChatConfig,
  type ChatPlatform,
  type ChatPrincipal,
  type ChatReply,
  type ChatRequest,
  deny,
  helpText,
  isDingtalkSessionWebhook,
  notStarted,
  type PlanSnapshot,
  parseCommand,
  requestApproval,
  sameThread,
  type Transition,
} from '../../chat/index.js';
import type { Logger } from '../../log/index.js';
import type { SharedStorage } from '../../ports/index.js';
import { toApiError } from '../http/api-error.js';
import type { CatalogPlan, RunRegistry } from '../runs/run-registry.js';
import type { ApprovalBook } from './approval-book.js';
import type { RunProgress, ThreadSender } from './run-progress.js';
import { ChatGroupsError } from './slack-user-groups.js';

export interface ChatCommandsOptions {
  home: string;
  config: ChatConfig;
  /** The serve catalog's names: the only workflows a command may name. */
  catalog: readonly string[];
  runs: RunRegistry;
  approvals: ApprovalBook;
  progress: RunProgress;
  sender: ThreadSender;
  now: () => number;
  logger: Logger;
  /** Per platform, who is in which of serve.yaml's groups (platforms without one have no groups). */
  groups?: Partial<Record<ChatPlatform, GroupDirectory>>;
  /** Replicas: runs are read from the database they share. */
  shared?: SharedStorage;
}

export interface GroupDirectory {
  /** The configured groups `userId` is in; throws ChatGroupsError when the platform does not say. */
  groupsOf(userId: string): Promise<readonly string[]>;
}

/** Who did something from chat, as journals and logs name them. */
export function chatActor(principal: ChatPrincipal, channel: string): string {
  return `chat:${principal.platform}:${principal.userId} (channel ${channel})`;
}

export class ChatCommands {
  /** The catalog name of each run started from chat (authorization is per catalog name). */
  private readonly workflowOfRun = new Map<string, string>();

  constructor(private readonly options: ChatCommandsOptions) {}

  /** Act on one message and answer it; never throws (a failure is answered and logged). */
  async handle(received: ChatRequest): Promise<void> {
    const { reply: where } = received;
    if (
      where.platform === 'dingtalk' &&
      !isDingtalkSessionWebhook(
        where.sessionWebhook,
        this.options.config.platforms.dingtalk?.apiBaseUrl,
      )
    ) {
      // DingTalk signs the timestamp only: a body naming another reply address was not written
      // by DingTalk, so neither its sender nor its command is believed.
      this.options.logger.warn(
        { platform: 'dingtalk', user: received.user.id, channel: received.channel },
        'chat: a DingTalk message whose sessionWebhook is not on DingTalk ignored',
      );
      return;
    }
    const request = await this.withGroups(received);
    let reply: ChatReply;
    try {
      reply = await this.act(request);
    } catch (error) {
      this.options.logger.warn(
        { err: error, platform: request.platform, user: request.user.id },
        `chat command from ${request.platform}:${request.user.id} failed`,
      );
      const api = toApiError(error);
      reply = { title: 'That did not work', lines: [`${api.code}: ${api.message}`] };
    }
    try {
      const handle = await this.options.sender.send(request.reply, reply);
      // A Slack answer posted outside a thread starts one: the run's progress goes there too.
      if (handle !== request.reply) {
        for (const runId of runIdsOf(reply)) {
          this.options.progress.adoptThread(runId, handle);
          await this.options.approvals.rethread(runId, handle);
        }
      }
    } catch (error) {
      this.options.logger.warn(
        { err: error, platform: request.platform, channel: request.channel },
        `chat answer to ${request.platform}:${request.user.id} not sent`,
      );
    }
  }

  /**
   * The sender's groups, read from the platform when serve.yaml names groups for it. When the
   * platform does not answer, the request goes on without groups and with the reason, so a
   * person allowed only through a group is refused and told why.
   */
  private async withGroups(request: ChatRequest): Promise<ChatRequest> {
    const directory = this.options.groups?.[request.platform];
    if (directory === undefined) return request;
    try {
      return { ...request, groups: await directory.groupsOf(request.user.id) };
    } catch (error) {
      if (!(error instanceof ChatGroupsError)) throw error;
      this.options.logger.warn(
        { err: error, platform: request.platform, user: request.user.id },
        `chat: groups of ${request.platform}:${request.user.id} not read`,
      );
      return { ...request, groupsUnresolved: error.message };
    }
  }

  private principal(request: ChatRequest): ChatPrincipal {
    return {
      platform: request.platform,
      userId: request.user.id,
      ...(request.groups === undefined ? {} : { groups: request.groups }),
      ...(request.groupsUnresolved === undefined
        ? {}
        : { groupsUnresolved: request.groupsUnresolved }),
    };
  }

  private async act(request: ChatRequest): Promise<ChatReply> {
    const parsed = parseCommand(request.text, this.options.catalog);
    if (!parsed.ok) return { title: 'drainctl', lines: parsed.answer.split('\n') };
    const { command } = parsed;
    switch (command.verb) {
      case 'help':
        return { title: 'drainctl', lines: helpText(this.options.catalog).split('\n') };
      case 'plan':
        return this.refusedOr(request, 'plan', command.workflow, () => this.plan(command.workflow));
      case 'run':
        return this.refusedOr(request, 'run', command.workflow, () =>
          this.run(request, command.workflow),
        );
      case 'approve':
      case 'deny':
        return this.decide(request, command);
      case 'abort':
        return this.abort(request, command.runId);
      case 'status':
        return command.runId === undefined
          ? this.overview(request)
          : this.status(request, command.runId);
    }
  }

  /** Authorize `action` on `workflow`; a refusal is answered with what is lacking, and logged. */
  private async refusedOr(
    request: ChatRequest,
    action: Parameters<typeof authorize>[1],
    workflow: string,
    then: () => Promise<ChatReply>,
  ): Promise<ChatReply> {
    const decision = authorize(this.principal(request), action, workflow, this.options.config);
    if (decision.allowed) return then();
    this.options.logger.warn(
      {
        platform: request.platform,
        user: request.user.id,
        channel: request.channel,
        action,
        workflow,
        lacks: decision.lacks,
      },
      `chat: ${action} ${workflow} refused to ${request.platform}:${request.user.id}: lacks ${decision.lacks}`,
    );
    return {
      title: 'Sorry, I cannot do that for you',
      lines: [
        `You lack ${decision.lacks}.`,
        'Ask someone who has it, or an administrator of drainctl serve.',
      ],
    };
  }

  private async plan(workflow: string): Promise<ChatReply> {
    const { plan } = await this.options.runs.planCatalog(workflow);
    const snapshot = snapshotOf(plan);
    return {
      title: `Plan for ${workflow}`,
      lines: [...snapshot.runbookSummary.split('\n'), `Plan sha256 ${plan.sha256}`],
      actions: [{ label: 'Run it', command: `run ${workflow}` }],
    };
  }

  private async run(request: ChatRequest, workflow: string): Promise<ChatReply> {
    const { config, now } = this.options;
    const planned = await this.options.runs.planCatalog(workflow);
    const { plan } = planned;
    const runId = newRunId(now());
    const rules = config.workflows[workflow];
    if (rules?.approval === 'required') {
      const state = requestApproval({
        runId,
        workflow,
        requester: this.principal(request),
        channel: request.channel,
        plan: snapshotOf(plan),
        nowMs: now(),
        timeLimitMs: approvalTimeLimitMs(workflow, config),
      });
      this.workflowOfRun.set(runId, workflow);
      await this.options.approvals.ask(
        state,
        `asked by ${chatActor(state.request.requester, request.channel)}`,
        request,
      );
      return approvalRequestReply(state);
    }
    return this.start(request, workflow, planned, runId);
  }

  private async start(
    request: ChatRequest,
    workflow: string,
    planned: CatalogPlan,
    runId: string,
    approvedBy?: string,
  ): Promise<ChatReply> {
    const { plan } = planned;
    const by = chatActor(this.principal(request), request.channel);
    this.workflowOfRun.set(runId, workflow);
    this.options.progress.watch(runId, request.reply);
    this.options.logger.info({ by, workflow, runId }, `start ${workflow} asked from chat by ${by}`);
    await this.options.runs.startPlanned(planned, by, {
      runId,
      ...(approvedBy === undefined ? {} : { approvedBy }),
    });
    return {
      title: `${workflow} ${runId} is starting`,
      lines: [
        `Plan sha256 ${plan.sha256}`,
        ...(approvedBy === undefined ? [] : [`Approved by ${approvedBy}`]),
        'Progress follows in this thread.',
      ],
      actions: [{ label: 'Abort', command: `abort ${runId}` }],
    };
  }

  private async decide(
    request: ChatRequest,
    command: Extract<ChatCommand, { verb: 'approve' | 'deny' }>,
  ): Promise<ChatReply> {
    const { verb, runId } = command;
    const { approvals, now, config } = this.options;
    const noSuchRequest = {
      title: `${runId}`,
      lines: [`No run ${runId} is waiting for approval here.`],
    };
    const state = await approvals.read(runId, now());
    if (state === undefined) return noSuchRequest;
    const { workflow } = state.request;
    return this.refusedOr(request, verb, workflow, async () => {
      const principal = this.principal(request);
      const who = chatActor(principal, request.channel);
      const decided = (transition: Transition) =>
        transition.ok ? `${verb === 'deny' ? 'denied' : 'approved'} by ${who}` : transition.refusal;
      // A compare-and-set: a decision that came second (here or through another replica) is
      // refused from the state the first one left.
      if (command.verb === 'deny') {
        const denied = await approvals.change(runId, (s) => deny(s, principal, now()), decided);
        if (denied === undefined) return noSuchRequest;
        return denied.ok
          ? { title: `${runId} denied`, lines: [`Denied by ${who}; nothing was started.`] }
          : { title: `${runId}`, lines: [denied.refusal] };
      }
      const approved = await approvals.change(
        runId,
        (s) => approve(s, principal, command.planSha256, now()),
        decided,
      );
      if (approved === undefined) return noSuchRequest;
      if (!approved.ok) {
        this.options.logger.warn(
          { runId, platform: request.platform, user: request.user.id },
          `chat: approval of ${runId} refused: ${approved.refusal}`,
        );
        return { title: `Sorry, ${runId} is not approved`, lines: [approved.refusal] };
      }
      // Only the approval that was stored gets here: the request is no longer pending, so no
      // other decision can change it until this one starts the run or puts it back.
      const fresh = await this.options.runs.planCatalog(workflow);
      const checked = await approvals.change(
        runId,
        (s) =>
          beforeExecution(s, snapshotOf(fresh.plan), now(), approvalTimeLimitMs(workflow, config)),
        (t) => (t.ok ? 'the plan is unchanged: starting' : t.refusal),
      );
      if (checked === undefined) return noSuchRequest;
      if (!checked.ok) {
        return checked.state.status === 'pending'
          ? approvalRequestReply(checked.state, checked.refusal)
          : { title: runId, lines: [checked.refusal] };
      }
      // The requester's thread, where the run reports its progress.
      const asked = await approvals.askedIn(runId);
      const requesterRequest: ChatRequest = asked ?? request;
      // The requester's thread hears it too when the approver's is another one.
      const tellRequester = (reply: ChatReply) => {
        if (asked === undefined || sameThread(asked.reply, request.reply)) return;
        void this.options.sender.send(asked.reply, reply).catch((error: unknown) => {
          this.options.logger.warn({ err: error, runId }, `chat: start of ${runId} not told`);
        });
      };
      let reply: ChatReply;
      try {
        reply = await this.start(requesterRequest, workflow, fresh, runId, who);
      } catch (error) {
        reply = await this.notStarted(checked.state, error);
        tellRequester(reply);
        return reply;
      }
      tellRequester(reply);
      return reply;
    });
  }

  /** An approved run that did not start waits for approval again, and the thread is told why. */
  private async notStarted(executing: ApprovalState, error: unknown): Promise<ChatReply> {
    const { approvals, now, config, logger } = this.options;
    const { runId, workflow } = executing.request;
    const api = toApiError(error);
    const why = `${runId} did not start: ${api.code}: ${api.message}`;
    const changed = await approvals.change(
      runId,
      (s) => ({ ok: true, state: notStarted(s, now(), approvalTimeLimitMs(workflow, config)) }),
      () => why,
    );
    logger.warn({ err: error, runId, workflow }, `chat: approved run ${runId} did not start`);
    return approvalRequestReply(
      changed?.state ?? executing,
      `${why}. Approve it again once that is resolved, or deny it.`,
    );
  }

  /** The catalog name a run belongs to: known for runs of chat, else the workflow's own name. */
  private async workflowOf(runId: string): Promise<string> {
    const known = this.workflowOfRun.get(runId);
    if (known !== undefined) return known;
    const status = await runStatus(this.runWhere(runId));
    return status.report.workflow;
  }

  /** Where `status` reads a run: the database replicas share, else DRAINCTL_HOME. */
  private runWhere(runId: string) {
    const { home, shared } = this.options;
    return { home, runId, ...(shared === undefined ? {} : { shared }) };
  }

  private async abort(request: ChatRequest, runId: string): Promise<ChatReply> {
    const workflow = await this.workflowOf(runId);
    return this.refusedOr(request, 'abort', workflow, async () => {
      const by = chatActor(this.principal(request), request.channel);
      this.options.logger.info({ by, runId }, `abort of ${runId} asked from chat by ${by}`);
      const result = await this.options.runs.abort(runId, by);
      return { title: `${runId} stopping`, lines: [result.message] };
    });
  }

  private async status(request: ChatRequest, runId: string): Promise<ChatReply> {
    const waiting = await this.options.approvals.read(runId, this.options.now());
    if (waiting !== undefined && waiting.status !== 'executing') {
      return this.refusedOr(request, 'status', waiting.request.workflow, async () =>
        approvalStatusReply(waiting),
      );
    }
    const workflow = await this.workflowOf(runId);
    return this.refusedOr(request, 'status', workflow, async () => {
      const status = await runStatus(this.runWhere(runId));
      const { report } = status;
      return {
        title: `${report.workflow} ${runId}: ${report.outcome}`,
        lines: [
          report.summary,
          ...(report.startedBy === undefined ? [] : [`Started by ${report.startedBy}`]),
          ...(report.approvedBy === undefined ? [] : [`Approved by ${report.approvedBy}`]),
          `Plan sha256 ${report.planSha256}`,
          ...report.nodes.map((node) => `${node.name}: ${node.state}`),
        ],
      };
    });
  }

  /** The runs in progress here and the requests waiting, of workflows the person has a role on. */
  private async overview(request: ChatRequest): Promise<ChatReply> {
    const principal = this.principal(request);
    const maySee = (workflow: string) =>
      authorize(principal, 'status', workflow, this.options.config).allowed;
    const lines: string[] = [];
    for (const runId of this.options.runs.runIds()) {
      const workflow = this.workflowOfRun.get(runId);
      if (workflow !== undefined && maySee(workflow)) lines.push(`${runId} (${workflow}): running`);
    }
    for (const state of await this.options.approvals.pending(this.options.now())) {
      const { runId, workflow } = state.request;
      if (maySee(workflow)) lines.push(`${runId} (${workflow}): waiting for approval`);
    }
    return { title: 'drainctl runs', lines: lines.length === 0 ? ['Nothing in progress.'] : lines };
  }
}

/** The runs an answer is about: the ones its buttons act on. */
function runIdsOf(reply: ChatReply): string[] {
  return (reply.actions ?? []).flatMap((action) => {
    const match = /^(?:approve|abort) (\S+)(?: [0-9a-f]+)?$/.exec(action.command);
    return match?.[1] === undefined ? [] : [match[1]];
  });
}

/** The plan as an approval request shows it: the runbook's summary and the sha256. */
export function snapshotOf(plan: Plan): PlanSnapshot {
  return { sha256: plan.sha256, runbookSummary: runbookSummary(renderRunbook(plan)) };
}

/** The runbook's head (balancer, sha256, estimate) and its batch order, without the steps. */
export function runbookSummary(runbook: string): string {
  const blocks = runbook.split(/\n\s*\n/);
  const head = blocks[1] ?? '';
  const batches = blocks.find((block) => block.startsWith('Batch order')) ?? '';
  return [head, batches]
    .join('\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

function approvalRequestReply(state: ApprovalState, why?: string): ChatReply {
  const { request } = state;
  return {
    title: `${request.workflow} ${request.runId} needs approval`,
    lines: [
      ...(why === undefined ? [] : [why]),
      `Asked by ${chatActor(request.requester, request.channel)}`,
      ...request.plan.runbookSummary.split('\n'),
      `Plan sha256 ${request.plan.sha256}`,
      `Another authorized person approves before ${new Date(request.expiresAtMs).toISOString()}.`,
    ],
    actions: [
      // The button names the plan it was shown with: a click on an older request's button
      // does not approve a plan re-made since.
      { label: 'Approve', command: `approve ${request.runId} ${request.plan.sha256}` },
      { label: 'Deny', command: `deny ${request.runId}` },
    ],
  };
}

function approvalStatusReply(state: ApprovalState): ChatReply {
  const { request } = state;
  return {
    title: `${request.workflow} ${request.runId}: ${state.status === 'pending' ? 'waiting for approval' : state.status}`,
    lines: [
      `Asked by ${chatActor(request.requester, request.channel)}`,
      `Plan sha256 ${request.plan.sha256}`,
      ...(state.status === 'pending'
        ? [`Approval open until ${new Date(request.expiresAtMs).toISOString()}`]
        : []),
    ],
  };
}
