/**
 * Stopping a run safely. One stop signal for the whole run, raised by SIGINT/SIGTERM, by
 * `drainctl abort` (a request file in the run directory), by a failed node under
 * `stopOnFailure`, by a blocked gate or by drift. Waits that are safe to cut short (a drain in
 * progress, a plain wait, a gate's patience) listen to it; steps past the point of no return
 * (patch, reboot, health, verify, ramp) do not, they are carried through.
 */
export type StopKind = 'abort' | 'halt';

export class RunControl {
  private readonly controller = new AbortController();
  private stopKind: StopKind | undefined;
  private stopReason: string | undefined;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopRequested(): boolean {
    return this.stopKind !== undefined;
  }

  get kind(): StopKind | undefined {
    return this.stopKind;
  }

  get reason(): string | undefined {
    return this.stopReason;
  }

  /** The first reason wins: it is the one the report names. */
  stop(kind: StopKind, reason: string): void {
    if (this.stopKind !== undefined) return;
    this.stopKind = kind;
    this.stopReason = reason;
    this.controller.abort(new StopRequested(reason));
  }
}

/** The reason a stop-aware wait rejects with. */
export class StopRequested extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'StopRequested';
  }
}

export function isStop(error: unknown, control: RunControl): boolean {
  return error instanceof StopRequested || (control.stopRequested && control.signal.aborted);
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
