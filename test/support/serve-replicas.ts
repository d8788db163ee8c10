/**
 * `drainctl serve` replicas as real processes on one PostgreSQL database and one emulator: each
 * its own DRAINCTL_HOME, so they share only the database. Each drain waits 12 s (probe none),
 * long enough to act while a server is at weight 0.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { openPostgresStorage } from '#src/adapters/postgres/postgres-storage.js';
import type { SharedStorage } from '#src/ports/index.js';
import type { PostgresCluster } from './postgres-cluster.js';
import { endState, type RunEnv, startRunEnv } from './rollout-on-emulator.js';
import { type ServeProcess, startServeProcess } from './serve-process.js';

export interface Replicas {
  env: RunEnv;
  /** DRAINCTL_DATABASE_URL of the replicas' database. */
  url: string;
  storage: SharedStorage;
  /** `yaml`: the serve.yaml (default serveYaml()); `env`: more variables (a chat secret). */
  start(
    name: string,
    options?: { yaml?: string; env?: Record<string, string> },
  ): Promise<ServeProcess>;
  close(): Promise<void>;
}

export async function serveReplicas(cluster: PostgresCluster, database: string): Promise<Replicas> {
  const url = await cluster.createDatabase(database);
  const env = await startRunEnv({ waitSeconds: 12 });
  const storage = await openPostgresStorage(url, { connectTimeoutMs: 1_000 });
  return {
    env,
    url,
    storage,
    start: (name, options = {}) =>
      startServeProcess(
        {
          ...env,
          env: {
            ...env.env,
            ...options.env,
            DRAINCTL_DATABASE_URL: url,
            DRAINCTL_HOME: join(env.dir, `home-${name}`),
          },
        },
        options.yaml,
      ),
    async close() {
      await storage.close();
      await env.close();
    },
  };
}

export type Entry = Record<string, unknown> & { type: string; seq: number };

export async function entries(storage: SharedStorage, runId: string): Promise<Entry[]> {
  return (await storage.journal(runId).read()).map((l) => JSON.parse(l) as Entry);
}

/** Start a run on `replica`, and wait until a server is at weight 0 (its drain is under way). */
export async function nightAtWeightZero(r: Replicas, replica: ServeProcess): Promise<string> {
  const started = await replica.request('POST', '/api/runs', {
    token: 'operator',
    body: { workflow: 'three' },
  });
  expect(started.status).toBe(202);
  const runId = String(started.json.runId);
  await expect
    .poll(() => Object.values(endState(r.env).weights).includes(0), {
      timeout: 60_000,
      interval: 100,
    })
    .toBe(true);
  return runId;
}

/** The run's journal once its last entry is `done`. */
export async function finished(r: Replicas, runId: string): Promise<Entry[]> {
  await expect
    .poll(async () => (await entries(r.storage, runId)).at(-1)?.type, {
      timeout: 180_000,
      interval: 500,
    })
    .toBe('done');
  return entries(r.storage, runId);
}
