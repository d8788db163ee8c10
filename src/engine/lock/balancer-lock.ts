/**
 * One lock per load balancer (DESIGN.md §3): `$DRAINCTL_HOME/locks/<load-balancer-id>.lock`,
 * created exclusively (written aside, then hard-linked into place, so it is never seen half
 * written), holding run id, pid, host and a heartbeat time the holder refreshes. A second run
 * is refused with the holder's run id, host and age. A stale lock (holder pid gone on this
 * host, or heartbeat older than the threshold) is broken only when asked (`--break-stale-lock`);
 * a resumed run takes over its own run's lock when the process that held it is gone.
 *
 * A plan that creates its balancer locks on `name-<balancer name>` until the id is known, then
 * also on the id, and holds both to the end.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DrainctlError } from '../../errors/index.js';
import type { Clock } from '../../ports/index.js';
import { LockHeldError, LockLostError } from '../errors.js';

/** How often the holder refreshes its heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** A heartbeat older than this marks the lock stale (12 missed beats). */
export const STALE_AFTER_MS = 60_000;

export interface LockInfo {
  key: string;
  runId: string;
  pid: number;
  host: string;
  acquiredAt: string;
  heartbeatAt: string;
}

export interface LockOptions {
  home: string;
  runId: string;
  clock: Clock;
  /** Break a stale lock held by another run (the operator said so). */
  breakStale?: boolean;
  staleAfterMs?: number;
  /** Our pid and host (tests pretend to be other processes). */
  pid?: number;
  host?: string;
}

export function lockKeyForName(name: string): string {
  return `name-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

export function lockPath(home: string, key: string): string {
  return join(home, 'locks', `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
}

export async function readLock(home: string, key: string): Promise<LockInfo | undefined> {
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

export interface Staleness {
  stale: boolean;
  ageSeconds: number;
  why: string;
}

export function staleness(
  info: LockInfo,
  now: number,
  options: { host?: string; staleAfterMs?: number } = {},
): Staleness {
  const ageMs = now - Date.parse(info.heartbeatAt);
  const ageSeconds = Math.max(0, Math.round(ageMs / 1000));
  const host = options.host ?? hostname();
  if (info.host === host && !pidAlive(info.pid)) {
    return { stale: true, ageSeconds, why: `process ${info.pid} is gone` };
  }
  const limit = options.staleAfterMs ?? STALE_AFTER_MS;
  if (!(ageMs <= limit)) {
    return { stale: true, ageSeconds, why: `no heartbeat for ${ageSeconds}s` };
  }
  return { stale: false, ageSeconds, why: 'holder is alive' };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
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
    await mkdir(join(options.home, 'locks'), { recursive: true });
    const now = new Date(options.clock.now()).toISOString();
    const info: LockInfo = {
      key,
      runId: options.runId,
      pid: options.pid ?? process.pid,
      host: options.host ?? hostname(),
      acquiredAt: now,
      heartbeatAt: now,
    };
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (await createExclusive(path, info)) return new BalancerLock(key, options, info);
      const holder = await readLock(options.home, key);
      if (holder === undefined) continue; // released in between: try again
      const state = staleness(holder, options.clock.now(), {
        host: info.host,
        ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }),
      });
      const ownRun = holder.runId === options.runId;
      if (!state.stale || !(ownRun || options.breakStale)) {
        throw new LockHeldError(key, {
          runId: holder.runId,
          pid: holder.pid,
          host: holder.host,
          ageSeconds: state.ageSeconds,
          stale: state.stale,
        });
      }
      // Move the stale lock aside (kept for the post-mortem); of two breakers, one rename wins.
      await rename(path, `${path}.broken-${Date.now()}`).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    throw new DrainctlError(
      'LOCK_CONTENDED',
      `could not take the lock on ${key}: it keeps changing hands`,
    );
  }

  /** Refresh the heartbeat; throws `LockLostError` if the lock is no longer ours. */
  async heartbeat(): Promise<void> {
    if (this.released) return;
    const current = await readLock(this.options.home, this.key).catch(() => undefined);
    if (current?.runId !== this.info.runId || current.pid !== this.info.pid) {
      throw new LockLostError(
        this.key,
        current ? `now held by run ${current.runId}` : 'the lock file is gone',
      );
    }
    this.info = { ...this.info, heartbeatAt: new Date(this.options.clock.now()).toISOString() };
    const path = lockPath(this.options.home, this.key);
    const aside = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(aside, JSON.stringify(this.info));
    await rename(aside, path);
  }

  /** Heartbeat every `intervalMs` on real time; `onLost` is told once if the lock is taken. */
  startHeartbeat(onLost: (error: Error) => void, intervalMs = HEARTBEAT_INTERVAL_MS): void {
    this.timer = setInterval(() => {
      this.heartbeat().catch((error: Error) => {
        this.stopHeartbeat();
        onLost(error);
      });
    }, intervalMs);
    this.timer.unref();
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
    if (current?.runId === this.info.runId && current.pid === this.info.pid) {
      await unlink(lockPath(this.options.home, this.key)).catch(() => undefined);
    }
  }
}

/** Create `path` with `info` or report that it exists; never leaves a half-written lock. */
async function createExclusive(path: string, info: LockInfo): Promise<boolean> {
  const aside = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(aside, JSON.stringify(info));
  try {
    await link(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}
