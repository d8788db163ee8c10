/**
 * The lock's second layer, on the balancer itself: a tag `drainctl-lock` whose value names the
 * run, process and host. The lock file lives in one DRAINCTL_HOME (by default per working
 * directory), so two operators in two directories each got "the" lock; the tag is what both
 * see. Tags have no compare-and-set: the last writer wins, so the tag is read back after it is
 * set, a write that came too long after its read is not trusted, a run settles and looks again
 * before it changes anything, and the tag is checked before every intent (lock-guard.ts).
 * docs/engine.md §3 says what this does not cover.
 *
 * Limits (Alibaba tags): key ≤ 64 characters and not starting with `aliyun` or `acs:`; value ≤
 * 128 characters. The host name is cut to fit, on both sides of every comparison.
 */
import { hostname } from 'node:os';
import { LOCK_TAG_KEY } from '../../plan/saved-weight-tag.js';
import type { Clock, LoadBalancer } from '../../ports/index.js';
import { LockHeldError, LockLostError, LockUncertainError } from '../engine-errors.js';
import { processStartTime, staleness } from './holder-liveness.js';
import type { LockCheck } from './lock-guard.js';

// The planner counts it among the tags a run sets (src/plan/saved-weight-room.ts).
export { LOCK_TAG_KEY };
/**
 * The check before each intent reads the tag on this budget, not the adapter's full one (about
 * 13 s when DescribeTags is throttled): what follows it was observed live a moment before.
 */
export const TAG_CHECK_WITHIN_MS = 500;
/**
 * A run whose tag write completed longer than this after its read answered refuses (its write
 * may have landed after another run had read back and settled). So every write that counts
 * lands within this of its run's read: a run that waits longer than this after its read-back
 * sees it (the settle's extra half second covers the read answer's way back).
 */
export const TAG_WRITE_BOUND_MS = 1_000;
/** How long a run waits after its read-back before it looks once more; must exceed the bound. */
export const DEFAULT_TAG_SETTLE_MS = 1_500;
const MAX_VALUE_LENGTH = 128;

export interface TagHolder {
  runId: string;
  pid: number;
  pidStart?: string;
  host: string;
  acquiredAt: string;
}

/** `run=<id>;pid=<pid>;start=<ticks|->;at=<iso>;host=<host, cut to fit>` */
export function formatTagValue(holder: TagHolder): string {
  const head = `run=${holder.runId};pid=${holder.pid};start=${holder.pidStart ?? '-'};at=${holder.acquiredAt};host=`;
  return `${head}${holder.host.slice(0, Math.max(0, MAX_VALUE_LENGTH - head.length))}`;
}

export function parseTagValue(value: string): TagHolder | undefined {
  const match = /^run=([^;]*);pid=(\d+);start=([^;]*);at=([^;]*);host=(.*)$/.exec(value);
  if (match === null) return undefined;
  const [, runId = '', pid = '', start = '-', acquiredAt = '', host = ''] = match;
  return {
    runId,
    pid: Number(pid),
    ...(start === '-' ? {} : { pidStart: start }),
    host,
    acquiredAt,
  };
}

export interface TagLockOptions {
  runId: string;
  clock: Clock;
  breakLock?: boolean;
  /**
   * The run holds its balancer's lease in shared storage: a tag of this same run left by another
   * replica (dead, or one whose lease expired) is this run's to take, stale or not.
   */
  ownRunLeased?: boolean;
  /**
   * Wait this long after the read-back, then read again, before the run changes anything
   * (default `DEFAULT_TAG_SETTLE_MS`; more than `TAG_WRITE_BOUND_MS`). 0 only where no other
   * run could write the tag (in-memory models).
   */
  settleMs?: number;
  pid?: number;
  pidStart?: string;
  host?: string;
}

export class BalancerTagLock {
  private constructor(
    private readonly lb: LoadBalancer,
    readonly loadBalancerId: string,
    private readonly value: string,
  ) {}

  /** Tag the balancer for this run, or throw `LockHeldError` naming the run whose tag is there. */
  static async acquire(
    lb: LoadBalancer,
    loadBalancerId: string,
    options: TagLockOptions,
  ): Promise<BalancerTagLock> {
    const pid = options.pid ?? process.pid;
    const pidStart = options.pidStart ?? processStartTime(pid);
    const me: TagHolder = {
      runId: options.runId,
      pid,
      ...(pidStart === undefined ? {} : { pidStart }),
      host: options.host ?? hostname(),
      acquiredAt: new Date(options.clock.now()).toISOString(),
    };
    const value = formatTagValue(me);
    const ourHost = parseTagValue(value)?.host ?? me.host;
    const { clock } = options;
    const current = (await lb.getTags(loadBalancerId))[LOCK_TAG_KEY];
    // From the answer on (the attempts before it, throttled or not, do not age it).
    const readAt = clock.monotonic();
    if (current !== undefined && current !== value) {
      const holder = parseTagValue(current);
      const state =
        holder === undefined
          ? undefined
          : staleness(holder, options.clock.now(), { host: ourHost });
      const ownRun = holder?.runId === options.runId && state?.remote === false;
      const takeable =
        (holder?.runId === options.runId && options.ownRunLeased === true) ||
        (state?.stale === true && (ownRun || options.breakLock === true));
      const unreadable = holder === undefined && options.breakLock === true;
      if (!takeable && !unreadable) {
        throw held(loadBalancerId, current, holder, state);
      }
    }
    await lb.setTags(loadBalancerId, { [LOCK_TAG_KEY]: value });
    const tookMs = clock.monotonic() - readAt;
    // The last writer wins: read back, so of two runs racing here only one goes on.
    const readBack = async () => {
      const after = (await lb.getTags(loadBalancerId))[LOCK_TAG_KEY];
      if (after === value) return;
      const holder = after === undefined ? undefined : parseTagValue(after);
      const state = holder && staleness(holder, clock.now(), { host: ourHost });
      throw held(loadBalancerId, after ?? '(removed)', holder, state);
    };
    await readBack();
    const lock = new BalancerTagLock(lb, loadBalancerId, value);
    if (tookMs > TAG_WRITE_BOUND_MS) {
      // Our read is stale: a run may have read "free", written, read back and settled while our
      // write was on its way, and we just overwrote it. Give the tag back (it is still ours:
      // the run we may have overwritten then finds none, not ours) and let the operator retry.
      await lock.release().catch(() => undefined);
      throw new LockUncertainError(loadBalancerId, tookMs, TAG_WRITE_BOUND_MS);
    }
    // A racer's write lands within the bound of its read, which came before our write landed:
    // after the settle we see it, and of the two only the last writer goes on.
    const settleMs = options.settleMs ?? DEFAULT_TAG_SETTLE_MS;
    if (settleMs > 0) {
      await clock.sleep(settleMs);
      await readBack();
    }
    return lock;
  }

  /**
   * Throws `LockLostError` when the tag now names another run or process. A tag that cannot be
   * read within `TAG_CHECK_WITHIN_MS` says nothing either way (the lock file is checked too): it
   * is reported through `check.onUnchecked`, and the next check tries again.
   */
  async verify(check: LockCheck = { before: 'a change' }): Promise<void> {
    // An abort that came before this check is the rollback's: its changes deserve a read too.
    const signal = check.signal?.aborted === false ? check.signal : undefined;
    const current = await this.lb
      .getTags(this.loadBalancerId, {
        withinMs: TAG_CHECK_WITHIN_MS,
        ...(signal ? { signal } : {}),
      })
      .then((tags) => {
        check.onTags?.(this.loadBalancerId, tags);
        return tags[LOCK_TAG_KEY];
      })
      .catch((error: unknown) => {
        check.onUnchecked?.(
          `balancer tag lock could not be checked before ${check.before}; the lock file still holds (tag ${LOCK_TAG_KEY} on ${this.loadBalancerId}: ${error instanceof Error ? error.message : String(error)})`,
          error,
        );
        return this.value;
      });
    if (current !== undefined && current !== this.value) {
      const holder = parseTagValue(current);
      throw new LockLostError(
        `load balancer ${this.loadBalancerId}`,
        `its tag ${LOCK_TAG_KEY} now names ${holder ? `run ${holder.runId} (pid ${holder.pid} on ${holder.host})` : `"${current}"`}`,
        holder?.runId,
      );
    }
  }

  /** Remove the tag if it is still this run's. */
  async release(): Promise<void> {
    const current = (await this.lb.getTags(this.loadBalancerId))[LOCK_TAG_KEY];
    if (current === this.value) await this.lb.removeTags(this.loadBalancerId, [LOCK_TAG_KEY]);
  }
}

function held(
  loadBalancerId: string,
  value: string,
  holder: TagHolder | undefined,
  state: ReturnType<typeof staleness> | undefined,
): LockHeldError {
  const where = `tag ${LOCK_TAG_KEY}="${value}" on the balancer (seen from every DRAINCTL_HOME)`;
  return new LockHeldError(
    loadBalancerId,
    {
      runId: holder?.runId ?? '(unreadable tag)',
      pid: holder?.pid ?? 0,
      host: holder?.host ?? '?',
      ...(holder ? { acquiredAt: holder.acquiredAt } : {}),
      stale: state?.stale ?? holder === undefined,
      remote: state?.remote ?? true,
      ...(state ? { why: state.why } : {}),
    },
    where,
  );
}
