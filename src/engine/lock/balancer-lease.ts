/**
 * The balancer lock in shared storage: a lease with a fencing token. It lasts `ttlMs` (30 s)
 * from the database's clock unless renewed (every `renewMs`, 10 s); a replica that dies loses it
 * within that bound and a live one may take it. Each new holder gets a larger token, and every
 * journal line (so every intent, so every change) is only written while the token is current.
 *
 * The holder also keeps its own bound: the lease is known to hold until `ttlMs` after the last
 * renewal it sent and saw succeed. A change is refused when less than `marginMs` of that is
 * left, whatever the database says (or cannot say while it is unreachable): a paused or cut-off
 * replica stops before its lease can have gone to another.
 */
import { hostname } from 'node:os';
import type { Clock, LeaseFence, LeaseHolder, LeaseStore } from '../../ports/index.js';
import { LockHeldError, LockLostError } from '../engine-errors.js';
import { startBeats } from './heartbeat-beats.js';

export const LEASE_TTL_MS = 30_000;
export const LEASE_RENEW_MS = 10_000;
/** Left of the lease's known term below which no change is started. */
export const LEASE_MARGIN_MS = 5_000;

export interface LeaseOptions {
  leases: LeaseStore;
  runId: string;
  clock: Clock;
  /** Take a lease still within its term (`--break-lock`). */
  breakLock?: boolean;
  ttlMs?: number;
  marginMs?: number;
  host?: string;
  pid?: number;
}

export class BalancerLease {
  private timer: NodeJS.Timeout | undefined;
  private released = false;
  /** Monotonic ms until which the lease is known to hold. */
  private knownUntil: number;

  private constructor(
    readonly key: string,
    private readonly options: LeaseOptions,
    readonly fence: LeaseFence,
    sentAt: number,
  ) {
    this.knownUntil = sentAt + this.ttlMs;
  }

  get runId(): string {
    return this.options.runId;
  }

  private get ttlMs(): number {
    return this.options.ttlMs ?? LEASE_TTL_MS;
  }

  /** Take the key's lease or throw `LockHeldError` naming its holder. */
  static async acquire(key: string, options: LeaseOptions): Promise<BalancerLease> {
    const sentAt = options.clock.monotonic();
    const answer = await options.leases.acquire({
      key,
      runId: options.runId,
      host: options.host ?? hostname(),
      pid: options.pid ?? process.pid,
      ttlMs: options.ttlMs ?? LEASE_TTL_MS,
      ...(options.breakLock === true ? { steal: true } : {}),
    });
    if ('heldBy' in answer) throw leaseHeld(answer.heldBy);
    return new BalancerLease(key, options, answer.taken, sentAt);
  }

  /** Monotonic ms until which this lease is known to hold (undefined once released). */
  heldUntil(): number | undefined {
    return this.released ? undefined : this.knownUntil;
  }

  /** Throws `LockLostError` unless the lease is this run's and known to hold a while yet. */
  async verify(): Promise<void> {
    if (this.released) return;
    this.checkTerm();
    let holds: boolean;
    try {
      holds = await this.options.leases.holds(this.fence);
    } catch (error) {
      // Unreachable storage is not a loss while the term lasts: the journal line that must
      // follow waits for it (or fails), and nothing changes before that line is written.
      this.checkTerm();
      throw error;
    }
    if (!holds) throw await this.lost();
  }

  /** Renew the lease; `LockLostError` when its token is no longer current. */
  async heartbeat(): Promise<void> {
    if (this.released) return;
    const sentAt = this.options.clock.monotonic();
    if (!(await this.options.leases.renew(this.fence, this.ttlMs))) throw await this.lost();
    this.knownUntil = Math.max(this.knownUntil, sentAt + this.ttlMs);
  }

  /** Same contract as the file lock's (balancer-lock.ts). */
  startHeartbeat(
    onLost: (error: Error) => void,
    intervalMs = LEASE_RENEW_MS,
    onBeatFailed: (error: Error | undefined) => void = () => {},
  ): void {
    this.timer = startBeats({
      beat: () => this.heartbeat(),
      intervalMs,
      onLost,
      onBeatFailed,
      stop: () => this.stopHeartbeat(),
      // Past its known term the lease may be another's: the run stops as on a loss.
      lostAfterFailedBeat: () => {
        const left = this.knownUntil - this.options.clock.monotonic();
        return left < (this.options.marginMs ?? LEASE_MARGIN_MS) ? this.termError(left) : undefined;
      },
    });
  }

  stopHeartbeat(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  async release(): Promise<void> {
    this.stopHeartbeat();
    if (this.released) return;
    this.released = true;
    await this.options.leases.release(this.fence);
  }

  private checkTerm(): void {
    const left = this.knownUntil - this.options.clock.monotonic();
    if (left < (this.options.marginMs ?? LEASE_MARGIN_MS)) throw this.termError(left);
  }

  private termError(leftMs: number): LockLostError {
    return new LockLostError(
      this.key,
      `its lease (token ${this.fence.token}) could not be renewed and ${leftMs <= 0 ? 'may have expired' : `has only ${Math.round(leftMs / 100) / 10}s left`}; it may be another replica's by now`,
    );
  }

  private async lost(): Promise<LockLostError> {
    const now = await this.options.leases.read(this.key).catch(() => undefined);
    return new LockLostError(
      this.key,
      now === undefined || now.token === this.fence.token
        ? `its lease (token ${this.fence.token}) expired`
        : `its lease went to run ${now.runId} (pid ${now.pid} on ${now.host}, token ${now.token})`,
      now?.token === this.fence.token ? undefined : now?.runId,
    );
  }
}

function leaseHeld(holder: LeaseHolder): LockHeldError {
  return new LockHeldError(
    holder.key,
    {
      runId: holder.runId,
      pid: holder.pid,
      host: holder.host,
      acquiredAt: holder.acquiredAt,
      stale: false,
      remote: holder.host !== hostname(),
      why: `its lease runs until ${holder.expiresAt} unless renewed`,
    },
    'lease in the database (DRAINCTL_DATABASE_URL)',
  );
}
