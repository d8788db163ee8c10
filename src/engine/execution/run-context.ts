/**
 * Everything a step needs while a run executes: the ports, the journal (and the state folded
 * from it), the stop control and the gate mutex. `record` is the only way state changes: an
 * entry is written durably, then applied, so in-process state never runs ahead of the journal.
 */
import type { Logger } from '../../log/index.js';
import type { Step } from '../../plan/types.js';
import type { DrainProgress } from '../../ports/index.js';
import { LockLostError } from '../engine-errors.js';
import type { EnginePorts } from '../engine-ports.js';
import type { JournalEntry, NewEntry } from '../journal/entries.js';
import type { Journal } from '../journal/journal.js';
import { applyEntry, type RunState } from '../journal/run-state.js';
import type { LockCheck, LockGuard } from '../lock/lock-guard.js';
import {
  absorbsMove,
  canTransition,
  type FailureOutcome,
  IllegalTransitionError,
  type LeftOutReason,
  type NodeState,
} from '../policy/node-machine.js';
import { DrainTurns } from './drain-turns.js';
import { HeldProbes } from './held-probes.js';
import { type Mutex, RunControl, type StopKind } from './run-control.js';
import { createWeightWrites, type WeightWrites } from './weight-writes.js';

export interface RunContext {
  ports: EnginePorts;
  journal: Journal;
  state: RunState;
  control: RunControl;
  /** Serialises gate evaluation + weight-to-0 across the node sequences of a batch. */
  gateMutex: Mutex;
  /** Nodes of a batch decide their drains in runbook order. */
  drainTurns: DrainTurns;
  /** Drain probes kept open from a node's drain decision to its reboot. */
  heldProbes: HeldProbes;
  /** Fleet weight changes, merged per group across the run's servers. */
  weightWrites: WeightWrites;
  logger: Logger;
  /** Append an entry and apply it to `state`. */
  record(entry: NewEntry): Promise<JournalEntry>;
  /** Move a node to `to` (no-op when it is already there, e.g. a resumed step). */
  moveNode(
    node: string,
    to: NodeState,
    details?: { reason?: LeftOutReason; outcome?: FailureOutcome; detail?: string },
  ): Promise<void>;
  /** Stop the run (first reason wins) and journal the halt at once, so a crash cannot forget it. */
  stop(kind: StopKind, reason: string): Promise<void>;
  /**
   * Check the run's locks now, before observing what the next change is decided on, so a slow
   * check cannot make that observation stale. The next intent journaled within
   * `LOCK_CHECK_VALID_MS` counts as checked by it. Throws `LockLostError`.
   */
  checkLocks(before: string, onTags?: LockCheck['onTags'], node?: string): Promise<void>;
  /** Throws the `LockLostError` once a loss of the run's locks is known; reads nothing. */
  assertLocksHeld(): void;
  /** Called once the id of a balancer this run creates is known (the lock moves onto it). */
  onLoadBalancerKnown?: (loadBalancerId: string) => Promise<void>;
  /** Told how a node's drain wait stands, for a live view (never journaled). */
  onDrainProgress?: (node: string, progress: DrainProgress) => void;
}

/** How long a check made by `checkLocks` stands for the intent that follows it. */
export const LOCK_CHECK_VALID_MS = 1_000;

export function createRunContext(args: {
  ports: EnginePorts;
  journal: Journal;
  state: RunState;
  gateMutex: Mutex;
  logger: Logger;
  control?: RunControl;
  onLoadBalancerKnown?: (loadBalancerId: string) => Promise<void>;
  onDrainProgress?: (node: string, progress: DrainProgress) => void;
  /** Checks the run's locks before every intent; nothing is journaled once one is lost. */
  lockGuard?: LockGuard;
}): RunContext {
  const { journal, state, logger, ports } = args;
  let checkedAt: number | undefined;
  const concerned = balancersByNode(state);
  const verifyLocks = (before: string, onTags?: LockCheck['onTags'], node?: string) => {
    const loadBalancerIds = node === undefined ? undefined : concerned(node);
    return args.lockGuard?.beforeIntent({
      before,
      signal: ctx.control.signal,
      onUnchecked: (message, error) => logger.warn({ err: error }, message),
      ...(onTags === undefined ? {} : { onTags }),
      ...(loadBalancerIds === undefined ? {} : { loadBalancerIds }),
    });
  };
  const ctx: RunContext = {
    ports,
    journal,
    state,
    control: args.control ?? new RunControl(),
    gateMutex: args.gateMutex,
    drainTurns: new DrainTurns(state),
    heldProbes: new HeldProbes(logger),
    weightWrites: createWeightWrites(ports),
    logger,
    ...(args.onLoadBalancerKnown ? { onLoadBalancerKnown: args.onLoadBalancerKnown } : {}),
    ...(args.onDrainProgress ? { onDrainProgress: args.onDrainProgress } : {}),
    async record(entry) {
      const fresh =
        checkedAt !== undefined && ports.clock.monotonic() - checkedAt <= LOCK_CHECK_VALID_MS;
      if (entry.type === 'intent') checkedAt = undefined;
      if (entry.type === 'intent' && !fresh) {
        const node = state.stepsById.get(entry.step)?.node;
        await verifyLocks(`${entry.op} (step ${entry.step})`, undefined, node);
      } else args.lockGuard?.beforeAppend();
      const written = await journal.append(entry).catch((error: unknown) => {
        // The journal found another writer: as good as a lost lock (lock-guard.ts).
        throw error instanceof LockLostError ? (args.lockGuard?.markLost(error) ?? error) : error;
      });
      applyEntry(state, written);
      return written;
    },
    async checkLocks(before, onTags, node) {
      await verifyLocks(before, onTags, node);
      checkedAt = ports.clock.monotonic();
    },
    assertLocksHeld() {
      args.lockGuard?.beforeAppend();
    },
    async moveNode(node, to, details = {}) {
      const record = state.nodes.get(node);
      if (record === undefined || record.state === to) return;
      if (absorbsMove(record.state, to)) return;
      if (!canTransition(record.state, to, details.outcome)) {
        throw new IllegalTransitionError(node, record.state, to);
      }
      const from = record.state;
      await ctx.record({ type: 'node-state', node, from, state: to, ...details });
      logger.info(
        { node, from, to, ...details },
        `${record.name} (${node}): ${from} → ${to}${details.detail ? `: ${details.detail}` : ''}`,
      );
    },
    async stop(kind, reason) {
      const first = !ctx.control.stopRequested;
      const escalates = kind === 'abort' && !ctx.control.abortRequested;
      ctx.control.stop(kind, reason);
      if (first && state.halt === undefined) await ctx.record({ type: 'halt', reason });
      if (first || escalates) logger.warn({ kind }, `stopping the rollout: ${reason}`);
    },
  };
  return ctx;
}

/**
 * In a fleet plan, each server's balancers (every attachment its drain names): the locks a change
 * to that server concerns. undefined for a server of no fleet drain (and in a plan of one
 * balancer): every lock.
 */
function balancersByNode(state: RunState): (node: string) => ReadonlySet<string> | undefined {
  let byNode: Map<string, Set<string>> | undefined;
  return (node) => {
    if (state.plan.balancers === undefined) return undefined;
    if (byNode === undefined) {
      byNode = new Map();
      for (const step of state.plan.steps) {
        if (step.action !== 'node.drain' || step.node === undefined) continue;
        const ids = step.params.attachments?.map((a) => a.loadBalancerId);
        if (ids !== undefined && ids.length > 0) byNode.set(step.node, new Set(ids));
      }
    }
    return byNode.get(node);
  };
}

export type StepOutcome =
  | { status: 'ok'; detail: string; data?: Record<string, unknown> }
  | { status: 'failed'; outcome: FailureOutcome; detail: string; data?: Record<string, unknown> }
  /** Cut short by a stop request before it changed anything: not completed, not failed. */
  | { status: 'stopped'; detail: string };

export type StepHandler<S extends Step = Step> = (ctx: RunContext, step: S) => Promise<StepOutcome>;

/**
 * What undoing a step came to (steps/compensations.ts); `detail` continues the reason a node is
 * settled with ("…; weight back to 100, host untouched").
 */
export type Compensated =
  /** The step's effect is gone: undone now, or found undone already. */
  | { kind: 'undone'; detail: string }
  /** Left as it is on purpose (found at weight 0, someone else's change), with the node's reason. */
  | { kind: 'left'; detail: string; reason?: LeftOutReason }
  /** Not undone: what this run set was changed by someone else. */
  | { kind: 'drift'; detail: string }
  /** Not undone: the change failed, and kept failing. */
  | { kind: 'error'; detail: string };

export const ok = (detail: string, data?: Record<string, unknown>): StepOutcome =>
  data === undefined ? { status: 'ok', detail } : { status: 'ok', detail, data };

export const failed = (
  outcome: FailureOutcome,
  detail: string,
  data?: Record<string, unknown>,
): StepOutcome =>
  data === undefined
    ? { status: 'failed', outcome, detail }
    : { status: 'failed', outcome, detail, data };

export const stopped = (detail: string): StepOutcome => ({ status: 'stopped', detail });
