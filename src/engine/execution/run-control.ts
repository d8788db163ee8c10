/**
 * Stopping a run safely. Two kinds, because they ask for different things:
 *
 * - `halt` (a failed node under `stopOnFailure`, a blocked gate, drift): the rollout stops —
 *   no further batch or phase starts — while the nodes of the current batch finish their own
 *   sequence, each ending done, rolled back or left out on its own merits. A node's end state
 *   therefore never depends on when a sibling failed, and a resumed run ends as an
 *   uninterrupted one would (docs/design.md §4, invariant 4).
 * - `abort` (SIGINT/SIGTERM, `drainctl abort`, a lost lock): additionally, what can be undone
 *   now is: the abort signal cuts short the waits that are safe to cut (a drain in progress, a
 *   plain wait, a gate's patience) and nodes whose host is untouched go back to their weight.
 *   Steps past the point of no return (patch, reboot, health, verify, ramp) are carried through.
 */
import { setMaxListeners } from 'node:events';

export type StopKind = 'abort' | 'halt';

export class RunControl {
  private readonly controller = new AbortController();
  private stopReason: string | undefined;
  private halted = false;

  constructor() {
    // Every wait of every server in the batch listens (and stops listening when it ends): a
    // fleet batch of a hundred is not a leak, and Node's warning at eleven alarmed operators.
    setMaxListeners(Number.POSITIVE_INFINITY, this.controller.signal);
  }

  /** Aborted only by an `abort`: waits that are safe to cut short listen to it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Any stop: no further batch or phase starts. */
  get stopRequested(): boolean {
    return this.halted;
  }

  /** An abort: undo what can be undone now. */
  get abortRequested(): boolean {
    return this.controller.signal.aborted;
  }

  get reason(): string | undefined {
    return this.stopReason;
  }

  /** The first reason is the one the report names; an abort after a halt still aborts. */
  stop(kind: StopKind, reason: string): void {
    this.stopReason ??= reason;
    this.halted = true;
    if (kind === 'abort' && !this.controller.signal.aborted) {
      this.controller.abort(new StopRequested(reason));
    }
  }
}

/** The halt reason of an abort, from its journaled source: "aborted by SIGTERM". */
export function abortedBy(source: string): string {
  return `aborted by ${source}`;
}

/**
 * The run stopped because someone asked it to (its first stop was the abort), not because
 * something failed first: its report says who stopped it, not what to fix.
 */
export function haltedByAbort(state: { halt?: string; abortRequested?: string }): boolean {
  return state.abortRequested !== undefined && state.halt === abortedBy(state.abortRequested);
}

/** The reason a stop-aware wait rejects with. */
export class StopRequested extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'StopRequested';
  }
}

/**
 * Only a stop request is a stop. Any other error — also one thrown while an abort is under way,
 * e.g. a probe that cannot read its log during the ramp — is a failure, and goes through the
 * failure policy (which may have to take the node back to weight 0).
 */
export function isStop(error: unknown): boolean {
  return error instanceof StopRequested;
}

/** A lock held by one async task at a time (gate evaluation + drain of one node). */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(task: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release: () => void = () => {};
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await task();
    } finally {
      release();
    }
  }
}
