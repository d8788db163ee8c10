/**
 * Which of the balancer's health entries say anything about a backend. SLB reports every
 * backend as `unavailable` on a listener that is stopped or has its health check turned off:
 * that is "not judged", not "unhealthy" — counting it made every backend unhealthy as soon as
 * a balancer had one spare stopped listener. Only running listeners that check health judge;
 * an entry for a listener we know nothing about still judges (fail closed). Pure.
 */
import type { BackendHealthStatus, Listener } from '../ports/index.js';

export interface JudgedHealth {
  /** The entries that count. */
  entries: BackendHealthStatus[];
  /** Listeners judged by, as `8080/tcp`. */
  judgedBy: string[];
  /** Listeners left out and why, as `9090/tcp (stopped)`. */
  ignored: string[];
}

export function listenerLabel(listener: { port: number; protocol: string }): string {
  return `${listener.port}/${listener.protocol}`;
}

export function judgedHealth(
  health: readonly BackendHealthStatus[],
  listeners: readonly Listener[],
): JudgedHealth {
  const ignoredWhy = new Map<string, string>();
  for (const listener of listeners) {
    const why =
      listener.status === 'stopped'
        ? 'stopped'
        : listener.healthCheck.enabled === false
          ? 'health check off'
          : undefined;
    if (why !== undefined) ignoredWhy.set(listenerLabel(listener), why);
  }
  const entries = health.filter((h) => !ignoredWhy.has(listenerLabel(judgedKey(h))));
  return {
    entries,
    judgedBy: [...new Set(entries.map((h) => listenerLabel(judgedKey(h))))].sort(),
    ignored: [...ignoredWhy].map(([label, why]) => `${label} (${why})`).sort(),
  };
}

/**
 * The one rule for "healthy in the balancer's view", which the gates, the planner and `inspect`
 * all apply: judged by at least one listener, and `normal` on every listener that judges it.
 * `unavailable` (not checked yet) and no entry at all are not healthy: missing evidence is not
 * health. It takes the judged view, not raw entries, so no caller can count a stopped listener.
 * Weight is the caller's part: "serving" means weight > 0 now (gates, inspect) or when the
 * rollout reaches the server (planner).
 */
export function healthyOnBalancer(judged: JudgedHealth, serverId: string): boolean {
  const entries = judged.entries.filter((entry) => entry.serverId === serverId);
  return entries.length > 0 && entries.every((entry) => entry.health === 'normal');
}

/** One phrase for messages: which listeners were judged, and which were not. */
export function describeJudged(judged: JudgedHealth): string {
  const by =
    judged.judgedBy.length === 0
      ? 'no listener that checks health'
      : `listener${judged.judgedBy.length > 1 ? 's' : ''} ${judged.judgedBy.join(', ')}`;
  return `judged on ${by}${judged.ignored.length > 0 ? `; ignored ${judged.ignored.join(', ')}` : ''}`;
}

function judgedKey(h: BackendHealthStatus): { port: number; protocol: string } {
  return { port: h.listenerPort, protocol: h.protocol };
}
