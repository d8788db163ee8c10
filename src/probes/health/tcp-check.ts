/** TCP health check: the port accepts a connection within the timeout; closed at once. */
import { connect } from 'node:net';
import type { HealthCheckResult, HealthCheckSpec } from '../../ports/index.js';

export function checkTcp(
  spec: Extract<HealthCheckSpec, { kind: 'tcp' }>,
  signal: AbortSignal,
  now: () => number,
): Promise<HealthCheckResult> {
  const started = now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: spec.host, port: spec.port, signal });
    socket.once('connect', () => {
      const latencyMs = Math.round(now() - started);
      socket.destroy();
      resolve({ ok: true, detail: `TCP connect in ${latencyMs} ms`, latencyMs, answered: true });
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}
