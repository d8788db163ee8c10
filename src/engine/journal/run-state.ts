/**
 * A run's state is a fold over its journal, and nothing else: the running executor applies each
 * entry as it writes it, `status` and `resume` apply the same entries read back from disk, so
 * what a resumed run believes is exactly what the crashed one had written. No I/O here.
 */
import type { Plan, Step } from '../../plan/types.js';
import type { NeedVerdict } from '../policy/compliance-verdict.js';
import type { FailureOutcome, LeftOutReason, NodeState } from '../policy/node-machine.js';
import {
  attachmentKey,
  attachmentWeightKey,
  targetAttachment,
  weightKeyOf,
} from './attachment-key.js';
import type {
  DoneEntry,
  IntentEntry,
  JournalEntry,
  NoteEntry,
  PlanEntry,
  RetryEntry,
  RunApproval,
  RunOutcome,
  StepEntry,
} from './entries.js';

export interface NodeRecord {
  id: string;
  name: string;
  batch: number;
  state: NodeState;
  /** The live weight read right before the drain (what a restore returns to). */
  originalWeight?: number;
  /**
   * A fleet server's live weight on each attachment read right before its drain, by
   * attachment key (journal/attachment-key.ts): what its restore returns each one to.
   */
  originalWeights?: Record<string, number>;
  /** The last weight this run set and saw confirmed. */
  weight?: number;
  reason?: LeftOutReason;
  outcome?: FailureOutcome;
  detail?: string;
  /** Output of the verify command before the patch and after it. */
  before?: string;
  after?: string;
  /**
   * The verify step found the output unchanged and the `neededWhen` checks found nothing
   * needed: the patch had nothing to do (its detail, "unchanged: already current: …").
   */
  alreadyCurrent?: string;
  /**
   * What the `neededWhen` checks answered with the baseline, before the drain: only a node
   * found `current` may come back with an unchanged verify output.
   */
  neededBefore?: NeedVerdict['kind'];
  /** A wait its step journaled as begun (`note` with `waiting`), until the node moves on. */
  waiting?: { message: string; since: string };
  /**
   * Set by `resume --retry` on a node found out of service (weight 0), with the reason it was
   * left out: undoing its retry leaves it out again — it is never rolled back into service
   * unproven.
   */
  retriedFromLeftOut?: LeftOutReason;
  /** Ramp weights whose hold passed, so a resumed restore does not hold them again. */
  rampPassed: Array<{ step: string; weight: number }>;
  timeline: Array<{ state: NodeState; at: string }>;
}

export interface RunState {
  runId: string;
  plan: Plan;
  sha256: string;
  planRedacted: boolean;
  /** The drainctl version that started the run; undefined for journals from before it was kept. */
  drainctlVersion?: string;
  /** Who asked for the run when not the terminal's user (`api:<token name>`). */
  startedBy?: string;
  /** No server starts its drain at or after this ISO instant (a schedule's window). */
  drainsEndAt?: string;
  /** Who approved it, when a second person had to. */
  approvedBy?: string;
  /** The schedule approval it started under. */
  approval?: RunApproval;
  startedAt: string;
  updatedAt: string;
  lastSeq: number;
  stepsById: Map<string, Step>;
  completedSteps: Set<string>;
  failedSteps: Map<string, StepEntry>;
  stepData: Map<string, Record<string, unknown>>;
  /** Mutations journaled as intent whose result is not (yet) written, by opId. */
  pendingIntents: Map<string, IntentEntry>;
  /** opIds whose result was written (applied), so a resumed step skips what it already did. */
  completedOps: Set<string>;
  /** Every weight this run confirmed, by server id (nodes and backends it added). */
  weights: Map<string, number>;
  /** Every weight this run confirmed on a fleet server's attachment, by attachmentWeightKey. */
  attachmentWeights: Map<string, number>;
  /** Backends this run attached, with the weight they were added at. */
  addedBackends: Map<string, number>;
  listenersEnsured: Array<{ port: number; protocol: string }>;
  nodes: Map<string, NodeRecord>;
  refs: { loadBalancerId?: string; loadBalancerAddress?: string };
  halt?: string;
  /**
   * Failed steps since the run last ended (a resume of a halted run starts afresh): the
   * executor halts on them even when a crash came between the failure and its `halt` entry.
   */
  openFailures: Array<{ step: string; node?: string; outcome: FailureOutcome; detail: string }>;
  abortRequested?: string;
  /** Notes a person must act on (e.g. DNS changed by someone else, so not pointed back). */
  warnings: string[];
  /**
   * Cloud calls being retried, from the latest retry note of each step (or node, or the run)
   * still in progress: gone once its call went through, the step ended or the run did.
   */
  cloudRetries: Map<string, CloudRetrying>;
  outcome?: RunOutcome;
  done?: DoneEntry;
  sessions: number;
}

export interface CloudRetrying {
  node?: string;
  step?: string;
  message: string;
  /** When the call's first attempt was sent, and when the note was written (ISO). */
  since: string;
  at: string;
}

export function initialRunState(entry: PlanEntry): RunState {
  const plan = entry.plan;
  const nodes = new Map<string, NodeRecord>();
  for (const node of plan.nodes) {
    nodes.set(node.id, {
      id: node.id,
      name: node.name,
      batch: node.batch,
      state: 'pending',
      rampPassed: [],
      timeline: [{ state: 'pending', at: entry.ts }],
    });
  }
  return {
    runId: entry.runId,
    plan,
    sha256: entry.sha256,
    planRedacted: entry.redacted,
    ...(entry.drainctlVersion === undefined ? {} : { drainctlVersion: entry.drainctlVersion }),
    ...(entry.startedBy === undefined ? {} : { startedBy: entry.startedBy }),
    ...(entry.drainsEndAt === undefined ? {} : { drainsEndAt: entry.drainsEndAt }),
    ...(entry.approvedBy === undefined ? {} : { approvedBy: entry.approvedBy }),
    ...(entry.approval === undefined ? {} : { approval: entry.approval }),
    startedAt: entry.ts,
    updatedAt: entry.ts,
    lastSeq: entry.seq,
    stepsById: new Map(plan.steps.map((s) => [s.id, s])),
    completedSteps: new Set(),
    failedSteps: new Map(),
    stepData: new Map(),
    pendingIntents: new Map(),
    completedOps: new Set(),
    weights: new Map(),
    attachmentWeights: new Map(),
    addedBackends: new Map(),
    listenersEnsured: [],
    nodes,
    refs: plan.loadBalancer.create ? {} : { loadBalancerId: plan.loadBalancer.id },
    openFailures: [],
    warnings: [],
    cloudRetries: new Map(),
    sessions: 1,
  };
}

/** Apply one entry (mutates `state`, returns it for folding). */
export function applyEntry(state: RunState, entry: JournalEntry): RunState {
  state.lastSeq = entry.seq;
  state.updatedAt = entry.ts;
  switch (entry.type) {
    case 'plan':
      break;
    case 'resume':
      state.sessions += 1;
      state.cloudRetries.clear(); // the process that was retrying is gone
      for (const node of state.nodes.values()) delete node.waiting; // and the one waiting
      // Resuming a run that ended halted continues it; resuming one that crashed while it was
      // stopping finishes the stop (its `halt` stands), so it ends as the crashed one would have.
      if (state.done !== undefined) {
        state.outcome = undefined;
        state.done = undefined;
        state.halt = undefined;
        state.abortRequested = undefined;
        state.openFailures = [];
      }
      break;
    case 'intent':
      state.pendingIntents.set(entry.opId, entry);
      if (entry.op === 'set-weight') recordOriginal(state, entry);
      break;
    case 'result':
      state.pendingIntents.delete(entry.opId);
      if (entry.applied) {
        state.completedOps.add(entry.opId);
        applyResult(state, entry);
        if (undoesCutover(state, entry.opId)) reopenCutover(state);
      }
      break;
    case 'step':
      state.cloudRetries.delete(entry.step);
      if (entry.node !== undefined) delete state.nodes.get(entry.node)?.waiting;
      if (entry.status === 'ok') {
        state.completedSteps.add(entry.step);
        state.failedSteps.delete(entry.step);
      } else {
        state.failedSteps.set(entry.step, entry);
        if (entry.outcome !== undefined) {
          state.openFailures.push({
            step: entry.step,
            ...(entry.node === undefined ? {} : { node: entry.node }),
            outcome: entry.outcome,
            detail: entry.detail,
          });
        }
      }
      if (entry.data !== undefined) state.stepData.set(entry.step, entry.data);
      recordOutputs(state, entry);
      break;
    case 'probe':
      if (entry.kind === 'error-rate' && entry.outcome === 'passed' && entry.node) {
        const weight = entry.data?.weight;
        const node = state.nodes.get(entry.node);
        if (node && typeof weight === 'number') node.rampPassed.push({ step: entry.step, weight });
      }
      break;
    case 'node-state': {
      const node = state.nodes.get(entry.node);
      if (node === undefined) break;
      node.state = entry.state;
      node.timeline.push({ state: entry.state, at: entry.ts });
      if (entry.reason !== undefined) node.reason = entry.reason;
      if (entry.outcome !== undefined) node.outcome = entry.outcome;
      if (entry.detail !== undefined) node.detail = entry.detail;
      state.cloudRetries.delete(entry.node);
      delete node.waiting;
      break;
    }
    case 'note':
      if (entry.warning === true) state.warnings.push(entry.message);
      if (entry.waiting === true && entry.node !== undefined) {
        const node = state.nodes.get(entry.node);
        if (node !== undefined) node.waiting = { message: entry.message, since: entry.ts };
      }
      if (entry.cloudRetry !== undefined) noteCloudRetry(state, entry);
      break;
    case 'retry':
      retryNode(state, entry);
      break;
    case 'halt':
      state.halt ??= entry.reason;
      break;
    case 'abort-requested':
      state.abortRequested ??= entry.source;
      break;
    case 'done':
      state.outcome = entry.outcome;
      state.done = entry;
      state.cloudRetries.clear();
      break;
    default:
      break;
  }
  return state;
}

function noteCloudRetry(state: RunState, entry: NoteEntry): void {
  const key = entry.step ?? entry.node ?? 'run';
  if (entry.cloudRetry?.recovered === true) {
    state.cloudRetries.delete(key);
    return;
  }
  state.cloudRetries.set(key, {
    ...(entry.node === undefined ? {} : { node: entry.node }),
    ...(entry.step === undefined ? {} : { step: entry.step }),
    message: entry.message,
    since: entry.cloudRetry?.since ?? entry.ts,
    at: entry.ts,
  });
}

/** Fold a whole journal; the first entry must be the plan. */
export function foldJournal(entries: readonly JournalEntry[]): RunState {
  const [first, ...rest] = entries;
  if (first === undefined || first.type !== 'plan') {
    throw new Error('journal does not start with its plan');
  }
  return rest.reduce(applyEntry, initialRunState(first));
}

/**
 * Forget what this run did to the node's sequence, so it runs again from its first step,
 * starting from the weight just observed live. A node found serving returns to that weight
 * after its ramp; one found at 0 (left out) returns to the weight recorded before its drain.
 */
function retryNode(state: RunState, entry: RetryEntry): void {
  const node = state.nodes.get(entry.node);
  if (node === undefined) return;
  // The baseline stays the one captured before this run first touched the node: `changed` must
  // compare with the node as it was found, not as a first attempt left it.
  const steps = new Set(
    state.plan.steps
      .filter(
        (s) =>
          s.node === entry.node &&
          s.phase === 'rollout' &&
          !(s.action === 'node.capture-baseline' && state.completedSteps.has(s.id)),
      )
      .map((s) => s.id),
  );
  // An op id is its step's id, then `#…` (a ramp level, an undo) and `@…` (a fleet attachment).
  const ofNode = (opOrStep: string) => steps.has(opOrStep.split(/[#@]/)[0] ?? opOrStep);
  for (const id of [...state.completedSteps]) if (ofNode(id)) state.completedSteps.delete(id);
  for (const id of [...state.failedSteps.keys()]) if (ofNode(id)) state.failedSteps.delete(id);
  for (const id of [...state.stepData.keys()]) if (ofNode(id)) state.stepData.delete(id);
  for (const id of [...state.completedOps]) if (ofNode(id)) state.completedOps.delete(id);
  for (const id of [...state.pendingIntents.keys()])
    if (ofNode(id)) state.pendingIntents.delete(id);
  state.openFailures = state.openFailures.filter((f) => f.node !== entry.node);
  if (entry.weight === 0) node.retriedFromLeftOut = node.reason ?? 'error';
  else delete node.retriedFromLeftOut;
  node.state = 'pending';
  node.timeline.push({ state: 'pending', at: entry.ts });
  delete node.reason;
  delete node.outcome;
  delete node.detail;
  delete node.after;
  delete node.alreadyCurrent;
  node.rampPassed = [];
  if (entry.weight > 0) node.originalWeight = entry.weight;
  node.weight = entry.weight;
  state.weights.set(entry.node, entry.weight);
  // A fleet server starts over from each attachment's live weight (someone may have changed it
  // by hand), and one serving there comes back to it; one at 0 keeps its recorded weight.
  for (const [key, weight] of Object.entries(entry.attachmentWeights ?? {})) {
    state.attachmentWeights.set(weightKeyOf(entry.node, key), weight);
    if (weight > 0) {
      node.originalWeights ??= {};
      node.originalWeights[key] = weight;
    }
  }
}

/** A DNS change of the preparation was undone after it failed (the record or TTL set back). */
function undoesCutover(state: RunState, opId: string): boolean {
  const [stepId, suffix] = opId.split('#');
  const step = state.stepsById.get(stepId ?? '');
  return (
    suffix === 'rollback' &&
    step?.phase === 'prepare' &&
    (step.action === 'dns.point' || step.action === 'dns.set-ttl')
  );
}

/**
 * An undone cutover is one to do again, from its start: a resumed run lowers the TTL, waits out
 * the old one, points the record and confirms it, rather than "continue" after steps whose
 * effect is gone (pointing with a short TTL that resolvers never saw). The undo itself is
 * forgotten too, so a second failure is undone again.
 */
function reopenCutover(state: RunState): void {
  for (const step of state.plan.steps) {
    if (step.phase !== 'prepare') continue;
    if (!(step.action.startsWith('dns.') || step.action === 'wait')) continue;
    state.completedSteps.delete(step.id);
    state.stepData.delete(step.id);
    state.completedOps.delete(step.id);
    state.completedOps.delete(`${step.id}#rollback`);
  }
}

/** A fleet weight change names its balancer in the target and the result (journal/attachment-key.ts). */
function onAttachment(target: Record<string, unknown>): boolean {
  return typeof target.loadBalancerId === 'string' && target.attachment === true;
}

function recordOriginal(state: RunState, entry: IntentEntry): void {
  const step = state.stepsById.get(entry.step);
  if (step?.action !== 'node.drain' || entry.node === undefined) return;
  const node = state.nodes.get(entry.node);
  const weight = entry.before.weight;
  if (node && node.originalWeight === undefined && typeof weight === 'number') {
    node.originalWeight = weight;
  }
  // A fleet drain journals one intent per attachment; the first intent of each is the one read
  // before this run changed anything there.
  if (node && typeof weight === 'number' && onAttachment(entry.target)) {
    const key = attachmentKey(targetAttachment(entry.target));
    node.originalWeights ??= {};
    node.originalWeights[key] ??= weight;
  }
}

function applyResult(state: RunState, entry: JournalEntry & { type: 'result' }): void {
  const after = entry.after;
  switch (entry.op) {
    case 'set-weight': {
      const serverId = String(after.serverId);
      const weight = Number(after.weight);
      if (onAttachment(after)) {
        state.attachmentWeights.set(attachmentWeightKey(serverId, targetAttachment(after)), weight);
        const node = state.nodes.get(serverId);
        if (node) node.weight = weight;
        break;
      }
      state.weights.set(serverId, weight);
      const node = state.nodes.get(serverId);
      if (node) node.weight = weight;
      break;
    }
    case 'lb.create':
      state.refs.loadBalancerId = String(after.loadBalancerId);
      state.refs.loadBalancerAddress = String(after.address);
      break;
    case 'lb.add-backends':
      for (const b of (after.added ?? []) as Array<{ serverId: string; weight: number }>) {
        state.addedBackends.set(b.serverId, b.weight);
        state.weights.set(b.serverId, b.weight);
        const node = state.nodes.get(b.serverId);
        if (node) node.weight = b.weight;
      }
      break;
    case 'lb.ensure-listener':
      state.listenersEnsured.push({ port: Number(after.port), protocol: String(after.protocol) });
      break;
    default:
      break;
  }
}

function recordOutputs(state: RunState, entry: StepEntry): void {
  if (entry.status !== 'ok' || entry.node === undefined) return;
  const node = state.nodes.get(entry.node);
  const output = entry.data?.output;
  if (node === undefined || typeof output !== 'string') return;
  if (entry.action === 'node.capture-baseline') {
    node.before = output;
    const needed = entry.data?.needed;
    if (needed === 'current' || needed === 'needed' || needed === 'unknown') {
      node.neededBefore = needed;
    }
  }
  if (entry.action === 'node.verify') {
    node.after = output;
    if (entry.data?.alreadyCurrent === true) node.alreadyCurrent = entry.detail;
  }
}
