/**
 * The connection probe, for TCP services without access logs: established connections to the
 * service port on the node, counted with `ss` through the Host port (Cloud Assistant or SSH),
 * health-checker sources excluded. Drained when none has been open for `quietSeconds`.
 */
import { DrainctlError } from '../../errors/index.js';
import type { Clock, DrainOutcome, DrainProgress, Host, TrafficProbe } from '../../ports/index.js';
import { CidrSet } from '../net/cidr-set.js';
import { sleepOn } from '../sleep.js';
import { parseSsPeers, ssCommand } from './ss-output.js';

export interface ConnectionProbeOptions {
  host: Host;
  nodeId: string;
  port: number;
  ignoreCidrs: string[];
  clock: Clock;
  /** Between two counts (default 2 s: each count is a remote command). */
  tickMs?: number;
  commandTimeoutSeconds?: number;
}

/**
 * @example
 *   const probe = createConnectionProbe({ host, nodeId: 'i-1', port: 8080, ignoreCidrs: ['100.64.0.0/10'], clock });
 */
export function createConnectionProbe(options: ConnectionProbeOptions): TrafficProbe {
  const ignored = new CidrSet(options.ignoreCidrs, { path: 'ignoreCidrs' });
  const { clock } = options;
  const tickMs = options.tickMs ?? 2000;

  /** Connections from real clients, or undefined when this count failed (blind for a tick). */
  const count = async (signal?: AbortSignal): Promise<number | undefined> => {
    const result = await options.host.runCommand(
      options.nodeId,
      {
        script: ssCommand(options.port),
        timeoutSeconds: options.commandTimeoutSeconds ?? 30,
        name: 'drainctl-connections',
      },
      signal,
    );
    if (result.exitCode === 127) {
      throw new DrainctlError(
        'PROBE_FAILED',
        `connection probe on ${options.nodeId}: ss is not installed (${result.output.trim()})`,
        {
          hint: 'install iproute2, or use the access-log probe',
        },
      );
    }
    if (result.status !== 'success') return undefined;
    return parseSsPeers(result.output).filter((peer) => !ignored.matchString(peer)).length;
  };

  /** Where the quiet of the last `drained` decision began (monotonic ms). */
  let drainedQuietFrom: number | undefined;

  return {
    async waitForDrain({
      quietSeconds,
      timeoutSeconds,
      continueQuiet,
      signal,
      onProgress,
    }): Promise<DrainOutcome> {
      const started = clock.monotonic();
      // Judging again (continueQuiet): nothing was counted in between, so the count taken now
      // decides — none open continues the earlier quiet, any open starts it over.
      const from = (continueQuiet === true ? drainedQuietFrom : undefined) ?? started;
      let lastBusy = Number.NEGATIVE_INFINITY;
      let lastBusyWall: number | undefined;
      for (;;) {
        signal?.throwIfAborted();
        const connections = await count(signal);
        const now = clock.monotonic();
        // A failed count is treated like open connections: nothing can be concluded from it.
        if (connections === undefined || connections > 0) {
          lastBusy = now;
          if (connections !== undefined) lastBusyWall = clock.now();
        }
        const quietMs = now - Math.max(from, lastBusy);
        const progress: DrainProgress = {
          elapsedSeconds: (now - started) / 1000,
          realRequests: 0,
          ignoredRequests: 0,
          requestsPerSecond: 0,
          quietSeconds: quietMs / 1000,
          ...(lastBusyWall !== undefined
            ? { lastRealRequestAt: new Date(lastBusyWall).toISOString() }
            : {}),
          ...(connections !== undefined ? { connections } : {}),
        };
        onProgress?.(progress);
        const waited = (now - started) / 1000;
        const done =
          quietMs >= quietSeconds * 1000
            ? 'drained'
            : now - started >= timeoutSeconds * 1000
              ? 'timeout'
              : undefined;
        if (done !== undefined) {
          if (done === 'drained') drainedQuietFrom = Math.max(from, lastBusy);
          return {
            outcome: done,
            waitedSeconds: waited,
            realRequests: 0,
            ...(progress.lastRealRequestAt
              ? { lastRealRequestAt: progress.lastRealRequestAt }
              : {}),
            final: progress,
          };
        }
        const untilQuiet = quietSeconds * 1000 - quietMs;
        const untilTimeout = timeoutSeconds * 1000 - (now - started);
        await sleepOn(
          clock,
          Math.max(1, Math.min(tickMs, untilQuiet > 0 ? untilQuiet : tickMs, untilTimeout)),
          signal,
        );
      }
    },

    /** Connections carry no status codes: the window passes and no request is counted. */
    async measureErrorRate({ seconds, signal }) {
      await sleepOn(clock, seconds * 1000, signal);
      return { seconds, requests: 0, errors5xx: 0, rate: 0 };
    },

    async close() {},
  };
}
