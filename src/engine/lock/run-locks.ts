/**
 * The locks one run holds: the plan's balancer by id, or — for a balancer the run creates — by
 * name until `lb.create` returns the id, then by both. Each balancer id is locked twice: the
 * file under DRAINCTL_HOME and the `drainctl-lock` tag on the balancer (balancer-tag.ts), which
 * runs from other directories or hosts see too. Heartbeats for the files; the guard checks all
 * of them before every intent; a lock taken away tells the run once.
 */
import type { Plan } from '../../plan/types.js';
import type { Clock, LeaseFence, LeaseStore, LoadBalancer } from '../../ports/index.js';
import type { FenceSource } from '../journal/shared-journal-store.js';
import { BalancerLease } from './balancer-lease.js';
import { BalancerLock, lockKeyForName } from './balancer-lock.js';
import { BalancerTagLock } from './balancer-tag.js';
import { type LockCheck, LockGuard } from './lock-guard.js';

/** Balancer tags acquired at once (their settle periods overlap). */
const TAG_LOCKS_IN_FLIGHT = 10;

export interface RunLockOptions {
  home: string;
  runId: string;
  clock: Clock;
  breakLock: boolean;
  staleAfterMs?: number;
  heartbeatMs?: number;
  /** Wait after tagging, then read the tag again (balancer-tag.ts); default 1.5 s. */
  tagSettleMs?: number;
  /** Tag balancers through this port (the cloud-side layer); none in file-only tests. */
  loadBalancer?: LoadBalancer;
  /** Lock with leases in shared storage instead of files under `home` (balancer-lease.ts). */
  leases?: LeaseStore;
  leaseTtlMs?: number;
}

/** One lock the run holds: a file under DRAINCTL_HOME or a lease in shared storage. */
export interface HeldLock {
  readonly key: string;
  verify(): Promise<void>;
  startHeartbeat(
    onLost: (error: Error) => void,
    intervalMs?: number,
    onBeatFailed?: (error: Error | undefined) => void,
  ): void;
  stopHeartbeat(): void;
  release(): Promise<void>;
}

export class RunLocks implements FenceSource {
  private readonly held: HeldLock[] = [];
  private readonly tags: BalancerTagLock[] = [];
  private onLost: ((error: Error) => void) | undefined;
  private onBeatFailed: ((error: Error | undefined) => void) | undefined;
  /** Checks every lock before each intent; remembers a loss. */
  readonly guard = new LockGuard([(check) => this.verify(check)]);

  private constructor(private readonly options: RunLockOptions) {}

  /** Take every lock the plan needs now, or none (and throw `LockHeldError`). */
  static async acquire(
    plan: Plan,
    knownId: string | undefined,
    options: RunLockOptions,
  ): Promise<RunLocks> {
    const locks = new RunLocks(options);
    try {
      if (plan.loadBalancer.create) {
        await locks.addFile(lockKeyForName(plan.loadBalancer.name));
        if (knownId) await locks.add(knownId);
      } else {
        // A fleet plan locks every balancer it touches, in one order for every run: two runs
        // sharing balancers never each hold one the other waits for.
        const ids = [...new Set(plan.balancers?.map((lb) => lb.id) ?? [plan.loadBalancer.id])];
        ids.sort();
        for (const id of ids) await locks.addFile(id);
        await locks.addTags(ids);
      }
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

  /** Also lock the balancer `id` (a created one, once known): its file, then its tag. */
  async add(id: string): Promise<void> {
    await this.addFile(id);
    const lb = this.options.loadBalancer;
    if (lb === undefined || this.tags.some((t) => t.loadBalancerId === id)) return;
    this.tags.push(
      await BalancerTagLock.acquire(lb, id, {
        runId: this.options.runId,
        clock: this.options.clock,
        breakLock: this.options.breakLock,
        ...(this.options.leases === undefined ? {} : { ownRunLeased: true }),
        ...(this.options.tagSettleMs === undefined ? {} : { settleMs: this.options.tagSettleMs }),
      }),
    );
  }

  /**
   * Tag every balancer of `ids`, TAG_LOCKS_IN_FLIGHT at a time: each tag waits its settle period
   * (1.5 s) before it is read back, and a fleet of a hundred balancers would otherwise spend
   * minutes settling one after the other. The files, taken before, already keep runs of this
   * DRAINCTL_HOME out; of two runs from elsewhere racing for the tags, each may lose one and
   * both are refused, neither waits. Throws the first refusal once the tags in flight settled.
   */
  private async addTags(ids: readonly string[]): Promise<void> {
    const lb = this.options.loadBalancer;
    if (lb === undefined) return;
    for (let start = 0; start < ids.length; start += TAG_LOCKS_IN_FLIGHT) {
      const chunk = ids.slice(start, start + TAG_LOCKS_IN_FLIGHT);
      const taken = await Promise.allSettled(
        chunk.map((id) =>
          BalancerTagLock.acquire(lb, id, {
            runId: this.options.runId,
            clock: this.options.clock,
            breakLock: this.options.breakLock,
            ...(this.options.tagSettleMs === undefined
              ? {}
              : { settleMs: this.options.tagSettleMs }),
          }),
        ),
      );
      for (const result of taken) if (result.status === 'fulfilled') this.tags.push(result.value);
      const refused = taken.find((result) => result.status === 'rejected');
      if (refused !== undefined) throw refused.reason;
    }
  }

  private async addFile(key: string): Promise<void> {
    if (this.held.some((l) => l.key === key)) return;
    const { leases } = this.options;
    const lock: HeldLock =
      leases === undefined
        ? await BalancerLock.acquire(key, {
            home: this.options.home,
            runId: this.options.runId,
            clock: this.options.clock,
            breakLock: this.options.breakLock,
            ...(this.options.staleAfterMs === undefined
              ? {}
              : { staleAfterMs: this.options.staleAfterMs }),
          })
        : await BalancerLease.acquire(key, {
            leases,
            runId: this.options.runId,
            clock: this.options.clock,
            breakLock: this.options.breakLock,
            ...(this.options.leaseTtlMs === undefined ? {} : { ttlMs: this.options.leaseTtlMs }),
          });
    this.held.push(lock);
    if (this.onLost) lock.startHeartbeat(this.onLost, this.options.heartbeatMs, this.onBeatFailed);
  }

  /** The tokens of the run's leases: every journal line is written under them. */
  fences(): LeaseFence[] {
    return this.held.flatMap((l) => (l instanceof BalancerLease ? [l.fence] : []));
  }

  /** Until when (monotonic ms) every lease is known to hold; undefined without leases. */
  heldUntil(): number | undefined {
    const terms = this.held.flatMap((l) => {
      const until = l instanceof BalancerLease ? l.heldUntil() : undefined;
      return until === undefined ? [] : [until];
    });
    return terms.length === 0 ? undefined : Math.min(...terms);
  }

  /** Throws `LockLostError` unless every lock the check concerns is still this run's. */
  async verify(check?: LockCheck): Promise<void> {
    const concerned = (id: string) =>
      check?.loadBalancerIds === undefined || check.loadBalancerIds.has(id);
    for (const lock of this.held) if (concerned(lock.key)) await lock.verify();
    for (const tag of this.tags) if (concerned(tag.loadBalancerId)) await tag.verify(check);
  }

  /** `onBeatFailed`: beats started failing (an error), or succeed again (undefined). */
  startHeartbeats(
    onLost: (error: Error) => void,
    onBeatFailed?: (error: Error | undefined) => void,
  ): void {
    this.onLost = onLost;
    this.onBeatFailed = onBeatFailed;
    for (const lock of this.held) {
      lock.startHeartbeat(onLost, this.options.heartbeatMs, onBeatFailed);
    }
  }

  stopHeartbeats(): void {
    for (const lock of this.held) lock.stopHeartbeat();
  }

  /**
   * Remove this run's tags, then its files. After a loss nothing is touched on the balancer
   * (whoever holds it now owns the tag); the files are only removed where still ours anyway.
   */
  async release(onTagError?: (error: unknown, loadBalancerId: string) => void): Promise<void> {
    if (this.guard.lost === undefined) {
      // A tag that stays behind is reported, not fatal: the run itself is over.
      await Promise.all(
        this.tags.map((t) => t.release().catch((error) => onTagError?.(error, t.loadBalancerId))),
      );
    }
    await Promise.all(this.held.map((l) => l.release()));
  }
}
