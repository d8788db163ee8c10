/**
 * Health checks: is a node serving? Straight to the node (HTTP, TCP) or the load balancer's
 * own view. Fails closed: any error, timeout or missing evidence is `ok: false` with a one-line
 * detail, never an exception. Reads only; changes nothing anywhere.
 */
import type {
  HealthChecker,
  HealthCheckResult,
  HealthCheckSpec,
  LoadBalancer,
} from '../../ports/index.js';
import { checkHttp } from './http-check.js';
import { checkLoadBalancer } from './load-balancer-check.js';
import { checkTcp } from './tcp-check.js';

export interface HealthCheckerDeps {
  /** For `load-balancer` checks. */
  loadBalancer?: LoadBalancer;
  /** Monotonic milliseconds, for latencies (default performance.now). */
  now?: () => number;
}

/** @example await createHealthChecker({ loadBalancer }).check({ kind: 'tcp', host: '10.0.0.5', port: 80, timeoutMs: 2000 }) */
export function createHealthChecker(deps: HealthCheckerDeps = {}): HealthChecker {
  const now = deps.now ?? (() => performance.now());
  return {
    async check(spec: HealthCheckSpec, signal?: AbortSignal): Promise<HealthCheckResult> {
      const timeoutMs = spec.kind === 'load-balancer' ? undefined : spec.timeoutMs;
      const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
      const combined = AbortSignal.any(
        [signal, timeout].filter((s): s is AbortSignal => s !== undefined),
      );
      try {
        switch (spec.kind) {
          case 'http':
            return await checkHttp(spec, combined, now);
          case 'tcp':
            return await checkTcp(spec, combined, now);
          case 'load-balancer':
            if (deps.loadBalancer === undefined) {
              return { ok: false, detail: 'no load balancer client to ask' };
            }
            return await checkLoadBalancer(spec, deps.loadBalancer);
        }
      } catch (error) {
        if (timeout?.aborted && !signal?.aborted)
          return { ok: false, detail: `no answer within ${timeoutMs} ms` };
        if (signal?.aborted) return { ok: false, detail: 'check aborted' };
        return { ok: false, detail: oneLine(error) };
      }
    },
  };
}

function oneLine(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const text = code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
  return text.split('\n')[0] ?? text;
}
