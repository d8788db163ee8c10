/**
 * Replicas: every few seconds, look for runs no replica holds any more (their replica died, or
 * handed them over at shutdown) and resume one here, from the database journal, reconciling
 * with the live state as `drainctl resume` does. Replicas racing for one run are sorted out by
 * its lease: one resumes it, the others are refused and look again later.
 */
import { hostname } from 'node:os';
import { orphanedRuns } from '../../app/index.js';
import { DrainctlError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { SharedStorage } from '../../ports/index.js';
import { ApiError } from '../http/api-error.js';
import type { RunRegistry } from './run-registry.js';

/** How often a replica looks; a dead replica's lease expires after 30 s, so a run waits ≤ 35 s. */
export const TAKEOVER_EVERY_MS = 5_000;

export interface Takeover {
  stop(): void;
}

export function startTakeover(
  runs: RunRegistry,
  shared: SharedStorage,
  options: { home: string; logger: Logger; everyMs?: number },
): Takeover {
  const by = `replica:${hostname()}:${process.pid}`;
  let busy = false;
  const look = async () => {
    const mine = new Set(runs.runIds());
    for (const runId of await orphanedRuns(options.home, shared)) {
      if (mine.has(runId)) continue;
      try {
        await runs.resume(runId, by);
        options.logger.info({ runId }, `run ${runId} taken over from the replica that held it`);
      } catch (error) {
        // Taken by another replica first (LOCK_HELD), or this one is shutting down.
        if (!(error instanceof DrainctlError) && !(error instanceof ApiError)) throw error;
        options.logger.debug({ err: error, runId }, `run ${runId} not taken over here`);
      }
    }
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    look()
      .catch((error: unknown) =>
        options.logger.warn({ err: error }, 'looking for runs to take over failed'),
      )
      .finally(() => {
        busy = false;
      });
  }, options.everyMs ?? TAKEOVER_EVERY_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
