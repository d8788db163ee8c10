/**
 * The per-action API rate limits across replicas: two limiters (two replicas) drawing from the
 * buckets in one PostgreSQL database keep to the limit together, where each alone would keep
 * to it on its own and together spend twice the account's quota.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionRateLimiter } from '#src/adapters/aliyun/transport/rate-limits.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { openPostgresStorage } from '#src/adapters/postgres/postgres-storage.js';
import type { SharedStorage } from '#src/ports/index.js';
import {
  POSTGRES_MISSING,
  type PostgresCluster,
  postgresBinDir,
  startPostgresCluster,
} from '#support/postgres-cluster.js';

const binDir = postgresBinDir();
let cluster: PostgresCluster;
const opened: SharedStorage[] = [];

beforeAll(() => {
  if (binDir === undefined) throw new Error(POSTGRES_MISSING);
  cluster = startPostgresCluster(binDir);
}, 60_000);
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  cluster?.close();
});

/** 4 calls per 2 s: a burst of 2, then one a second. */
const LIMITS = new Map([['SetBackendServers', { calls: 4, perSeconds: 2 }]]);

describe('API rate limits shared by replicas', () => {
  it('two replicas sending 4 calls each keep to one bucket: 2 at once, then 1 a second', async () => {
    const url = await cluster.createDatabase('rate_buckets');
    const replicas = await Promise.all([openPostgresStorage(url), openPostgresStorage(url)]);
    opened.push(...replicas);
    const limiters = replicas.map(
      (s) => new ActionRateLimiter(LIMITS, systemClock, { buckets: s.rateBuckets, product: 'slb' }),
    );
    const started = performance.now();
    const sentAt = await Promise.all(
      limiters.flatMap((limiter) =>
        [1, 2, 3, 4].map(() =>
          limiter.take('SetBackendServers').then(() => performance.now() - started),
        ),
      ),
    );
    sentAt.sort((a, b) => a - b);
    // 8 calls: the 3rd no sooner than 1 s, the 8th no sooner than 6 s (less a little rounding).
    expect(sentAt[2]).toBeGreaterThan(900);
    expect(sentAt[7]).toBeGreaterThan(5_900);
    // An action without a limit is not held back, and asks nothing of the database.
    const free = performance.now();
    await limiters[0]?.take('DescribeLoadBalancers');
    expect(performance.now() - free).toBeLessThan(50);
  }, 30_000);
});
