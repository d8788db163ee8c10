/**
 * HTTP health check: a fresh connection every time (no keep-alive agent, `Connection: close`),
 * so a check proves the node accepts new connections, as a balancer's check does.
 */
import { request } from 'node:http';
import type { HealthCheckResult, HealthCheckSpec } from '../../ports/index.js';

const MAX_BODY_BYTES = 256 * 1024;

export function checkHttp(
  spec: Extract<HealthCheckSpec, { kind: 'http' }>,
  signal: AbortSignal,
  now: () => number,
): Promise<HealthCheckResult> {
  const started = now();
  const bodyPattern = spec.bodyMatch === undefined ? undefined : new RegExp(spec.bodyMatch);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: spec.host,
        port: spec.port,
        path: spec.path,
        method: 'GET',
        agent: false,
        headers: {
          connection: 'close',
          'user-agent': 'drainctl-health-check',
          ...(spec.hostHeader !== undefined ? { host: spec.hostHeader } : {}),
        },
        signal,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (bodyPattern === undefined || size >= MAX_BODY_BYTES) return;
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('error', reject);
        res.on('end', () => {
          const latencyMs = Math.round(now() - started);
          if (!spec.expectStatus.includes(status)) {
            resolve({
              ok: false,
              detail: `HTTP ${status} in ${latencyMs} ms (expected ${spec.expectStatus.join('/')})`,
              latencyMs,
              answered: true,
            });
            return;
          }
          if (
            bodyPattern !== undefined &&
            !bodyPattern.test(Buffer.concat(chunks).toString('utf8'))
          ) {
            resolve({
              ok: false,
              detail: `HTTP ${status} in ${latencyMs} ms but the body does not match /${spec.bodyMatch}/`,
              latencyMs,
              answered: true,
            });
            return;
          }
          resolve({
            ok: true,
            detail: `HTTP ${status} in ${latencyMs} ms`,
            latencyMs,
            answered: true,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
