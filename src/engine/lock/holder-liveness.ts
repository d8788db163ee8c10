/**
 * Is a lock's holder still there? On this host the process table answers: the pid is alive and
 * is still the process that took the lock (same start time), or the lock is stale. A heartbeat
 * that is merely old proves nothing here (a suspended or starved process is alive and will carry
 * on). Only for a holder on another host, whose process we cannot see, is the heartbeat's age the
 * evidence — and then a person decides (`--break-lock`), never this code.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** A heartbeat older than this makes a holder on another host look gone (12 missed beats). */
export const STALE_AFTER_MS = 60_000;

export interface HolderIdentity {
  pid: number;
  host: string;
  /** The holder process's start time (Linux: /proc/<pid>/stat field 22); tells a reused pid. */
  pidStart?: string;
  heartbeatAt?: string;
}

export interface Staleness {
  stale: boolean;
  /** The holder is on another host: liveness is a guess from the heartbeat's age. */
  remote: boolean;
  ageSeconds: number;
  why: string;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The start time of `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat), or
 * undefined where there is no /proc or the process is gone. The command name (field 2) may hold
 * spaces and parentheses, so fields are counted from the last `)`.
 */
export function processStartTime(pid: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field 22 is fields[19].
  return fields[19];
}

export function staleness(
  holder: HolderIdentity,
  now: number,
  options: { host?: string; staleAfterMs?: number } = {},
): Staleness {
  const beat = holder.heartbeatAt === undefined ? Number.NaN : Date.parse(holder.heartbeatAt);
  const ageMs = now - beat;
  const ageSeconds = Number.isNaN(ageMs) ? 0 : Math.max(0, Math.round(ageMs / 1000));
  const host = options.host ?? hostname();
  if (holder.host === host) {
    if (!pidAlive(holder.pid)) {
      return { stale: true, remote: false, ageSeconds, why: `process ${holder.pid} is gone` };
    }
    const started = processStartTime(holder.pid);
    if (holder.pidStart !== undefined && started !== undefined && started !== holder.pidStart) {
      return {
        stale: true,
        remote: false,
        ageSeconds,
        why: `pid ${holder.pid} now belongs to another process (the holder is gone)`,
      };
    }
    return {
      stale: false,
      remote: false,
      ageSeconds,
      why: `process ${holder.pid} is running on this host`,
    };
  }
  const limit = options.staleAfterMs ?? STALE_AFTER_MS;
  if (Number.isNaN(ageMs) || ageMs > limit) {
    return {
      stale: true,
      remote: true,
      ageSeconds,
      why: Number.isNaN(ageMs)
        ? `held from ${holder.host}, which this host cannot check`
        : `no heartbeat from ${holder.host} for ${ageSeconds}s`,
    };
  }
  return { stale: false, remote: true, ageSeconds, why: `heartbeat from ${holder.host} is fresh` };
}
