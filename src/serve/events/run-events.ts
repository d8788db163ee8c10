/**
 * Run and node state changes of the runs this server executes, derived from their journal
 * entries as the engine writes them (`RunWiring.afterAppend`) through the engine's own fold
 * (`applyEntry`): what the API streams (`GET /api/events`) and what the metrics count are the
 * journal's story, told once. A resumed run is adopted with its state read from disk first.
 */
import {
  applyEntry,
  type DrainProgressEvent,
  initialRunState,
  type JournalEntry,
  type RunState,
} from '../../app/index.js';

export type RunPhase = 'running' | 'stopping' | 'completed' | 'halted' | 'failed';

export type ServeEvent =
  | {
      type: 'run';
      runId: string;
      workflow: string;
      phase: RunPhase;
      /** Who started or resumed it (the token's name), when the API did. */
      by?: string;
      /** Why it is stopping, or its summary once it ended. */
      detail?: string;
      at: string;
    }
  | {
      type: 'node';
      runId: string;
      node: string;
      name: string;
      from: string;
      state: string;
      /** The last weight the run confirmed for it. */
      weight?: number;
      reason?: string;
      detail?: string;
      at: string;
    }
  | {
      /** A node's drain wait, about once a second while it lasts: not journaled, live only. */
      type: 'drain';
      runId: string;
      node: string;
      requestsPerSecond: number;
      /** Seconds without a real request so far, and since the wait began. */
      quietSeconds: number;
      elapsedSeconds: number;
      realRequests: number;
    };

/** Told of every entry with the run's state after it: the metrics read both. */
export type EntryObserver = (entry: JournalEntry, state: RunState) => void;

export class RunEventHub {
  private readonly states = new Map<string, RunState>();
  private readonly listeners = new Set<(event: ServeEvent) => void>();
  private readonly observers = new Set<EntryObserver>();

  /** A run picked up again: its state as folded from its journal so far. */
  adopt(state: RunState): void {
    this.states.set(state.runId, state);
  }

  /** A run adopted for a resume that was refused: nothing more will come for it. */
  forget(runId: string): void {
    this.states.delete(runId);
  }

  /** The hook to hand a run as `afterAppend`. */
  entryHook(runId: string | undefined, by?: string): (entry: JournalEntry) => void {
    let id = runId;
    return (entry) => {
      if (entry.type === 'plan') {
        id = entry.runId;
        this.states.set(id, initialRunState(entry));
      }
      const state = id === undefined ? undefined : this.states.get(id);
      if (state === undefined) return;
      applyEntry(state, entry);
      for (const observer of this.observers) observer(entry, state);
      const event = eventOf(entry, state, by);
      if (event !== undefined) for (const listener of this.listeners) listener(event);
      if (entry.type === 'done') this.states.delete(state.runId);
    };
  }

  /** The hook to hand a run as `onDrainProgress`. */
  drainProgress(event: DrainProgressEvent): void {
    const drain: ServeEvent = {
      type: 'drain',
      runId: event.runId,
      node: event.node,
      requestsPerSecond: event.requestsPerSecond,
      quietSeconds: event.quietSeconds,
      elapsedSeconds: event.elapsedSeconds,
      realRequests: event.realRequests,
    };
    for (const listener of this.listeners) listener(drain);
  }

  subscribe(listener: (event: ServeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  observe(observer: EntryObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }
}

function eventOf(
  entry: JournalEntry,
  state: RunState,
  by: string | undefined,
): ServeEvent | undefined {
  const run = (phase: RunPhase, detail?: string): ServeEvent => ({
    type: 'run',
    runId: state.runId,
    workflow: state.plan.workflow.name,
    phase,
    ...(by === undefined ? {} : { by }),
    ...(detail === undefined ? {} : { detail }),
    at: entry.ts,
  });
  switch (entry.type) {
    case 'plan':
    case 'resume':
      return run('running');
    case 'abort-requested':
      return run('stopping', entry.source);
    case 'done':
      return run(entry.outcome, entry.summary);
    case 'node-state': {
      const node = state.nodes.get(entry.node);
      if (node === undefined) return undefined;
      const weight = state.weights.get(node.id);
      return {
        type: 'node',
        runId: state.runId,
        node: node.id,
        name: node.name,
        from: entry.from,
        state: node.state,
        ...(weight === undefined ? {} : { weight }),
        ...(node.reason === undefined ? {} : { reason: node.reason }),
        ...(node.detail === undefined ? {} : { detail: node.detail }),
        at: entry.ts,
      };
    }
    default:
      return undefined;
  }
}
