/**
 * One lock per load balancer (docs/design.md §3): `$DRAINCTL_HOME/locks/<load-balancer-id>.lock`,
 * created exclusively (written aside, then hard-linked into place, so it is never seen half
 * written), holding run id, pid (and its start time), host and acquisition time. The holder's
 * heartbeat goes to a file of its own next to it (`<lock>.beat`), never into the lock file: a
 * heartbeat racing a takeover can then never overwrite the new holder's lock, and a beat that
 * names another holder than the lock is ignored. A second run is refused naming the holder, the lock file and DRAINCTL_HOME. On this
 * host a holder is gone only when its pid is dead or reused (holder-liveness.ts): a resumed run
 * then takes over its own run's lock; another run's needs `--break-lock`. A holder on another
 * host with an old heartbeat is taken over only with `--break-lock`; a live holder never.
 *
 * A plan that creates its balancer locks on `name-<balancer name>` until the id is known, then
 * also on the id, and holds both to the end.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DrainctlError } from '../../errors/index.js';
import type { Clock } from '../../ports/index.js';
import {
  HeartbeatWriteError,
  LockHeldError,
  LockLostError,
  LockWriteError,
} from '../engine-errors.js';
import { startBeats } from './heartbeat-beats.js';
import { processStartTime, staleness } from './holder-liveness.js';

/** How often the holder refreshes its heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
export { pidAlive, STALE_AFTER_MS, type Staleness, staleness } from './holder-liveness.js';

export interface LockInfo {
  key: string;
  runId: string;
  pid: number;
  /** The holder process's start time (see holder-liveness.ts); absent where unknown. */
  pidStart?: string;
  host: string;
  acquiredAt: string;
  heartbeatAt: string;
}

export interface LockOptions {
  home: string;
  runId: string;
  clock: Clock;
  /** Take over a lock whose holder this host cannot prove alive (the operator said so). */
  breakLock?: boolean;
  staleAfterMs?: number;
  /** Our pid, its start time and host (tests pretend to be other processes). */
  pid?: number;
  pidStart?: string;
  host?: string;
}

export function lockKeyForName(name: string): string {
  return `name-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

export function lockPath(home: string, key: string): string {
  return join(home, 'locks', `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
}

function beatPath(home: string, key: string): string {
  return `${lockPath(home, key)}.beat`;
}

/** The lock file, with `heartbeatAt` from its holder's beat file when that is later. */
export async function readLock(home: string, key: string): Promise<LockInfo | undefined> {
  const info = await readLockFile(home, key);
  if (info === undefined) return undefined;
  const beat = await readFile(beatPath(home, key), 'utf8').then(
    (t) => JSON.parse(t) as LockInfo,
    () => undefined,
  );
  if (beat !== undefined && sameHolder(beat, info) && beat.heartbeatAt > info.heartbeatAt) {
    return { ...info, heartbeatAt: beat.heartbeatAt };
  }
  return info;
}

async function readLockFile(home: string, key: string): Promise<LockInfo | undefined> {
  let text: string;
  try {
    text = await readFile(lockPath(home, key), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as LockInfo;
  } catch (cause) {
    throw new DrainctlError('LOCK_UNREADABLE', `${lockPath(home, key)} is not a drainctl lock`, {
      cause,
      hint: 'inspect it; remove it by hand only if no run is working on this balancer',
    });
  }
}

export class BalancerLock {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(
    readonly key: string,
    private readonly options: LockOptions,
    private info: LockInfo,
  ) {}

  get runId(): string {
    return this.info.runId;
  }

  /** Take the lock or throw `LockHeldError` naming the holder. */
  static async acquire(key: string, options: LockOptions): Promise<BalancerLock> {
    const path = lockPath(options.home, key);
    await mkdir(join(options.home, 'locks'), { recursive: true }).catch((error: unknown) => {
      throw new LockWriteError(key, join(options.home, 'locks'), error);
    });
    const now = new Date(options.clock.now()).toISOString();
    const pid = options.pid ?? process.pid;
    const pidStart = options.pidStart ?? processStartTime(pid);
    const info: LockInfo = {
      key,
      runId: options.runId,
      pid,
      ...(pidStart === undefined ? {} : { pidStart }),
      host: options.host ?? hostname(),
      acquiredAt: now,
      heartbeatAt: now,
    };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const created = await createExclusive(path, info).catch((error: unknown) => {
        throw new LockWriteError(key, path, error);
      });
      if (created) return new BalancerLock(key, options, info);
      const holder = await readLock(options.home, key);
      if (holder === undefined) continue; // released in between: try again
      const state = staleness(holder, options.clock.now(), {
        host: info.host,
        ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }),
      });
      // A dead process of this very run (on this host) is taken over: that is what resume is
      // for. Anything else that looks gone needs the operator's word; a live holder, nothing.
      const ownRun = holder.runId === options.runId && !state.remote;
      if (!state.stale || !(ownRun || options.breakLock)) {
        throw new LockHeldError(
          key,
          {
            runId: holder.runId,
            pid: holder.pid,
            host: holder.host,
            acquiredAt: holder.acquiredAt,
            ageSeconds: state.ageSeconds,
            stale: state.stale,
            remote: state.remote,
            why: state.why,
          },
          `lock file ${resolve(path)} (DRAINCTL_HOME ${resolve(options.home)})`,
        );
      }
      await breakStale(path, holder, info);
    }
    throw new DrainctlError(
      'LOCK_CONTENDED',
      `could not take the lock on ${key}: it keeps changing hands`,
    );
  }

  /** Throws `LockLostError` unless the lock file still names this holder. */
  async verify(): Promise<void> {
    if (this.released) return;
    const current = await readLock(this.options.home, this.key).catch(() => undefined);
    if (current === undefined || !sameHolder(current, this.info)) {
      throw new LockLostError(
        this.key,
        current
          ? `${resolve(lockPath(this.options.home, this.key))} now names run ${current.runId} (pid ${current.pid} on ${current.host})`
          : `${resolve(lockPath(this.options.home, this.key))} is gone`,
        current?.runId,
      );
    }
  }

  /**
   * Refresh the heartbeat; throws `LockLostError` if the lock is no longer ours, and
   * `HeartbeatWriteError` if the beat file cannot be written (a full or read-only disk).
   */
  async heartbeat(): Promise<void> {
    if (this.released) return;
    await this.verify();
    this.info = { ...this.info, heartbeatAt: new Date(this.options.clock.now()).toISOString() };
    const path = beatPath(this.options.home, this.key);
    const aside = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(aside, JSON.stringify(this.info));
      await rename(aside, path);
    } catch (error) {
      // A beat written halfway must not pile up next to the lock, one every few seconds.
      await unlink(aside).catch(() => undefined);
      throw new HeartbeatWriteError(path, error);
    }
  }

  /**
   * Heartbeat every `intervalMs` on real time. `onLost` is told once if the lock is taken (the
   * beats stop). A beat that cannot be written does not stop them — the lock still holds, and
   * the next beat renews it once the disk takes writes again: `onBeatFailed` is told when beats
   * start failing, and `onBeatFailed(undefined)` when one succeeds again.
   */
  startHeartbeat(
    onLost: (error: Error) => void,
    intervalMs = HEARTBEAT_INTERVAL_MS,
    onBeatFailed: (error: Error | undefined) => void = () => {},
  ): void {
    this.timer = startBeats({
      beat: () => this.heartbeat(),
      intervalMs,
      onLost,
      onBeatFailed,
      stop: () => this.stopHeartbeat(),
    });
  }

  stopHeartbeat(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Release the lock if it is still ours. */
  async release(): Promise<void> {
    this.stopHeartbeat();
    if (this.released) return;
    this.released = true;
    const current = await readLock(this.options.home, this.key).catch(() => undefined);
    if (current !== undefined && sameHolder(current, this.info)) {
      await unlink(lockPath(this.options.home, this.key)).catch(() => undefined);
    }
    // Only our own beat: a new holder's is left alone.
    const beat = await readFile(beatPath(this.options.home, this.key), 'utf8').then(
      (t) => JSON.parse(t) as LockInfo,
      () => undefined,
    );
    if (beat !== undefined && sameHolder(beat, this.info)) {
      await unlink(beatPath(this.options.home, this.key)).catch(() => undefined);
    }
  }
}

function sameHolder(a: LockInfo, b: LockInfo): boolean {
  return (
    a.runId === b.runId && a.pid === b.pid && a.host === b.host && a.acquiredAt === b.acquiredAt
  );
}

const MAX_ATTEMPTS = 20;
/** A breaker that died mid-break leaves its guard; after this long the guard is ignored. */
const GUARD_STALE_MS = 30_000;

/**
 * Move a stale lock aside (kept for the post-mortem). Breakers take a guard file first and
 * re-read the lock under it, so a breaker that read the stale holder a moment too late cannot
 * move aside the fresh lock another breaker has just created.
 */
async function breakStale(path: string, stale: LockInfo, me: LockInfo): Promise<void> {
  const guard = `${path}.breaking`;
  if (!(await createExclusive(guard, me))) {
    const age = await stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > GUARD_STALE_MS) await unlink(guard).catch(() => undefined);
    await delay(5 + Math.floor(Math.random() * 20));
    return;
  }
  try {
    const current = await readFile(path, 'utf8').then(
      (t) => JSON.parse(t) as LockInfo,
      () => undefined,
    );
    const same =
      current !== undefined &&
      current.runId === stale.runId &&
      current.pid === stale.pid &&
      current.host === stale.host &&
      current.acquiredAt === stale.acquiredAt;
    if (same) await rename(path, `${path}.broken-${Date.now()}`);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** Create `path` with `info` or report that it exists; never leaves a half-written lock. */
async function createExclusive(path: string, info: LockInfo): Promise<boolean> {
  const aside = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(aside, JSON.stringify(info));
    await link(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}
