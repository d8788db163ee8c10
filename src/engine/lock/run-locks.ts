/**
 * The locks one run holds: the plan's balancer by id, or — for a balancer the run creates — by
 * name until `lb.create` returns the id, then by both. Heartbeats for all of them; a lock taken
 * away tells the run once.
 */
import type { Plan } from '../../plan/types.js';
import type { Clock } from '../../ports/index.js';
import { BalancerLock, lockKeyForName } from './balancer-lock.js';

export interface RunLockOptions {
  home: string;
  runId: string;
  clock: Clock;
  breakLock: boolean;
  staleAfterMs?: number;
  heartbeatMs?: number;
}

export class RunLocks {
  private readonly held: BalancerLock[] = [];
  private onLost: ((error: Error) => void) | undefined;

  private constructor(private readonly options: RunLockOptions) {}

  /** Take every lock the plan needs now, or none (and throw `LockHeldError`). */
  static async acquire(
    plan: Plan,
    knownId: string | undefined,
    options: RunLockOptions,
  ): Promise<RunLocks> {
    const locks = new RunLocks(options);
    const keys = plan.loadBalancer.create
      ? [lockKeyForName(plan.loadBalancer.name), ...(knownId ? [knownId] : [])]
      : [plan.loadBalancer.id];
    try {
      for (const key of keys) await locks.add(key);
    } catch (error) {
      await locks.release();
      throw error;
    }
    return locks;
  }

  /** No locks at all (in-memory runs of the executor). */
  static none(options: RunLockOptions): RunLocks {
    return new RunLocks(options);
  }

  /** Also lock `key` (a created balancer's id once known); a no-op when already held. */
  async add(key: string): Promise<void> {
    if (this.held.some((l) => l.key === key)) return;
    const lock = await BalancerLock.acquire(key, {
      home: this.options.home,
      runId: this.options.runId,
      clock: this.options.clock,
      breakLock: this.options.breakLock,
      ...(this.options.staleAfterMs === undefined
        ? {}
        : { staleAfterMs: this.options.staleAfterMs }),
    });
    this.held.push(lock);
    if (this.onLost) lock.startHeartbeat(this.onLost, this.options.heartbeatMs);
  }

  /** Throws `LockLostError` unless every lock is still this run's. */
  async verify(): Promise<void> {
    for (const lock of this.held) await lock.verify();
  }

  startHeartbeats(onLost: (error: Error) => void): void {
    this.onLost = onLost;
    for (const lock of this.held) lock.startHeartbeat(onLost, this.options.heartbeatMs);
  }

  stopHeartbeats(): void {
    for (const lock of this.held) lock.stopHeartbeat();
  }

  async release(): Promise<void> {
    await Promise.all(this.held.map((l) => l.release()));
  }
}
