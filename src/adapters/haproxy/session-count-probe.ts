/**
 * A second drain signal beside the server's access log: HAProxy's own count of the server's
 * sessions (`show stat`: `scur` open now, `stot` since start, `hrsp_5xx`). The server is quiet
 * while no session is open and none has started; it has drained after `quietSeconds` of that.
 * Health checks are not sessions, so nothing needs filtering out.
 */

import { DrainctlError } from '../../errors/index.js';
import type {
  Clock,
  DrainOutcome,
  DrainProgress,
  DrainWaitOptions,
  ErrorRateSample,
  MeasureErrorRateOptions,
  TrafficProbe,
} from '../../ports/index.js';
import { type RuntimeApi, type ServerStat, serverStats } from './runtime-api.js';

export interface SessionCountProbeOptions {
  api: RuntimeApi;
  backend: string;
  server: string;
  clock: Clock;
  pollMs?: number;
}

export function createSessionCountProbe(options: SessionCountProbeOptions): TrafficProbe {
  const { clock } = options;
  const pollMs = options.pollMs ?? 1000;
  /** `stot` and the monotonic time when the last wait decided `drained`. */
  let lastDrained: { stot: number; quietSince: number } | undefined;

  const stat = async (): Promise<ServerStat> => {
    const row = (await serverStats(options.api, options.backend)).find(
      (s) => s.server === options.server,
    );
    if (row === undefined) {
      throw new DrainctlError(
        'BACKEND_NOT_FOUND',
        `HAProxy has no server ${options.backend}/${options.server}`,
      );
    }
    return row;
  };

  return {
    async waitForDrain(wait: DrainWaitOptions): Promise<DrainOutcome> {
      const started = clock.monotonic();
      const first = await stat();
      let stot = first.stot;
      let quietSince =
        wait.continueQuiet && lastDrained !== undefined && lastDrained.stot === first.stot
          ? lastDrained.quietSince
          : started;
      let real = 0;
      let progress: DrainProgress | undefined;
      for (;;) {
        wait.signal?.throwIfAborted();
        const now = clock.monotonic();
        const row = now === started ? first : await stat();
        if (row.stot !== stot) {
          real += row.stot - stot;
          stot = row.stot;
          quietSince = now;
        }
        if (row.scur > 0) quietSince = now;
        const elapsed = (now - started) / 1000;
        progress = {
          elapsedSeconds: elapsed,
          realRequests: real,
          ignoredRequests: 0,
          requestsPerSecond: 0,
          quietSeconds: (now - quietSince) / 1000,
          connections: row.scur,
        };
        wait.onProgress?.(progress);
        if (progress.quietSeconds >= wait.quietSeconds) {
          lastDrained = { stot, quietSince };
          return {
            outcome: 'drained',
            waitedSeconds: elapsed,
            realRequests: real,
            final: progress,
          };
        }
        if (elapsed >= wait.timeoutSeconds) {
          return {
            outcome: 'timeout',
            waitedSeconds: elapsed,
            realRequests: real,
            final: progress,
          };
        }
        await clock.sleep(pollMs, wait.signal);
      }
    },

    async measureErrorRate(measure: MeasureErrorRateOptions): Promise<ErrorRateSample> {
      const started = clock.monotonic();
      const first = await stat();
      for (;;) {
        const row = await stat();
        const seconds = (clock.monotonic() - started) / 1000;
        const requests = row.stot - first.stot;
        const errors5xx = row.hrsp5xx - first.hrsp5xx;
        const sample = {
          seconds,
          requests,
          errors5xx,
          rate: requests === 0 ? 0 : errors5xx / requests,
        };
        if (seconds >= measure.seconds || measure.stopWhen?.(sample) === true) return sample;
        await clock.sleep(Math.min(pollMs, (measure.seconds - seconds) * 1000), measure.signal);
      }
    },

    async close() {},
  };
}
