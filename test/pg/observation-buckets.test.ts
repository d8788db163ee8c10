/**
 * `drainctl plan`, `inspect` and the library's `plan` with DRAINCTL_DATABASE_URL observe within
 * the API rate limits every replica shares: their Describe calls draw from the buckets in the
 * database (drainctl_rate_buckets), as runs do. Without the variable they touch no database.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '#src/adapters/postgres/postgres-storage.js';
import { plan } from '#src/index.js';
import { createLogger } from '#src/log/index.js';
import { postgresClusterForFile } from '#support/postgres-cluster.js';
import { drainctl, type RunEnv, startRunEnv } from '#support/rollout-on-emulator.js';

const cluster = postgresClusterForFile();
let env: RunEnv;

beforeAll(async () => {
  env = await startRunEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

/** The buckets drawn from so far: key → its "full again" instant. */
async function buckets(url: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query<{ key: string; next_full: Date }>(
      'SELECT key, next_full FROM drainctl_rate_buckets',
    );
    return new Map(found.rows.map((row) => [row.key, row.next_full.getTime()]));
  } finally {
    await client.end();
  }
}

/** The database, migrated (as a replica leaves it) and with no bucket drawn from yet. */
async function database(name: string): Promise<string> {
  const url = await cluster().createDatabase(name);
  await (await openPostgresStorage(url)).close();
  expect((await buckets(url)).size).toBe(0);
  return url;
}

describe('observation draws from the buckets replicas share', () => {
  it('drainctl plan and inspect draw from them', async () => {
    const url = await database('observe_cli');
    const planned = await drainctl(env, ['plan', env.workflow], { DRAINCTL_DATABASE_URL: url });
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const afterPlan = await buckets(url);
    expect([...afterPlan.keys()].some((key) => key.includes('Describe'))).toBe(true);

    const inspected = await drainctl(env, ['inspect', env.workflow], {
      DRAINCTL_DATABASE_URL: url,
    });
    expect(inspected.code).toBe(0);
    // A bucket inspect drew from moved on (or is new).
    const afterInspect = await buckets(url);
    expect([...afterInspect].some(([key, full]) => full > (afterPlan.get(key) ?? 0))).toBe(true);
  }, 120_000);

  it("the library's plan draws from them when its env names the database", async () => {
    const url = await database('observe_library');
    await plan(env.workflow, {
      env: { ...env.env, DRAINCTL_DATABASE_URL: url },
      cwd: env.dir,
      home: join(env.dir, 'home-library'),
      logger: createLogger({ level: 'silent' }),
    });
    expect((await buckets(url)).size).toBeGreaterThan(0);
  }, 60_000);
});
