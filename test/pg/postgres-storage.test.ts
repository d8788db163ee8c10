import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import {
  openPostgresStorage,
  postgresPoolConfig,
} from '#src/adapters/postgres/postgres-storage.js';
import type { SharedStorage } from '#src/ports/index.js';
import { postgresClusterForFile } from '#support/postgres-cluster.js';

const cluster = postgresClusterForFile();

describe('PostgreSQL storage', () => {
  it('migrates once when replicas start together, under the advisory lock', async () => {
    const url = await cluster().createDatabase('migrate_together');
    const opened = await Promise.all([1, 2, 3].map(() => openPostgresStorage(url)));
    try {
      const [first] = opened as [SharedStorage];
      expect(await first.listRuns()).toEqual([]);
    } finally {
      await Promise.all(opened.map((s) => s.close()));
    }
  });

  it('a statement past its time is ended by the database too, not only abandoned by the client', async () => {
    const url = await cluster().createDatabase('statement_timeout');
    const pool = new pg.Pool(postgresPoolConfig(url));
    const watcher = new pg.Client({ connectionString: url });
    try {
      await expect(pool.query("SELECT pg_sleep(30), 'drainctl-slow-statement'")).rejects.toThrow();
      await watcher.connect();
      const stillRunning = async () =>
        (
          await watcher.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%drainctl-slow-statement%' AND state = 'active' AND pid <> pg_backend_pid()",
          )
        ).rows[0]?.n;
      // Both ends give up at 10 s; the database's cancel may land a moment after the client's.
      await vi.waitUntil(async () => (await stillRunning()) === 0, {
        timeout: 3_000,
        interval: 100,
      });
    } finally {
      await pool.end();
      await watcher.end();
    }
  }, 30_000);

  it('claims a chat delivery once across replicas, and again only once the claim expired', async () => {
    const url = await cluster().createDatabase('delivery_claims');
    const [a, b] = (await Promise.all([openPostgresStorage(url), openPostgresStorage(url)])) as [
      SharedStorage,
      SharedStorage,
    ];
    try {
      const now = Date.now();
      const claims = await Promise.all(
        [a, b, a, b].map((s) => s.deliveryClaims.claim('slack:Ev123', now, 60_000)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await b.deliveryClaims.claim('slack:Ev123', now + 59_000, 60_000)).toBe(false);
      expect(await b.deliveryClaims.claim('slack:Ev124', now, 60_000)).toBe(true);
      expect(await a.deliveryClaims.claim('slack:Ev123', now + 60_000, 60_000)).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('changes a chat approval request only from the version read: one of two changes wins', async () => {
    const url = await cluster().createDatabase('chat_approvals_cas');
    const [a, b] = (await Promise.all([openPostgresStorage(url), openPostgresStorage(url)])) as [
      SharedStorage,
      SharedStorage,
    ];
    try {
      const runId = 'r-20261205-010000-aaaa';
      expect(await a.approvals.create(runId, '{"v":1}', true)).toBe(true);
      expect(await b.approvals.create(runId, '{"v":"again"}', true)).toBe(false);
      expect(await b.approvals.read(runId)).toEqual({
        runId,
        version: 1,
        json: '{"v":1}',
        pending: true,
      });
      expect((await b.approvals.pending()).map((r) => r.runId)).toEqual([runId]);
      const both = await Promise.all([
        a.approvals.replace(runId, 1, '{"by":"a"}', false),
        b.approvals.replace(runId, 1, '{"by":"b"}', false),
      ]);
      expect(both.filter(Boolean)).toHaveLength(1);
      const now = await a.approvals.read(runId);
      expect(now).toMatchObject({ version: 2, pending: false });
      expect(now?.json).toBe(both[0] ? '{"by":"a"}' : '{"by":"b"}');
      expect(await a.approvals.pending()).toEqual([]);
      // Decided just now: kept for a week, gone once a week is not kept.
      await a.approvals.prune(7 * 24 * 60 * 60 * 1000);
      expect(await a.approvals.read(runId)).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await a.approvals.prune(10);
      expect(await a.approvals.read(runId)).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('leaves one abort request per run, taken once, and a new one after it was taken', async () => {
    const url = await cluster().createDatabase('abort_requests');
    const storage = await openPostgresStorage(url);
    try {
      const runId = 'r-20261205-020000-1a2b';
      const first = { requestedAt: '2026-12-05T02:00:00.000Z', by: 'ana@ops' };
      expect(await storage.abortRequests.request(runId, first)).toBeUndefined();
      expect(
        await storage.abortRequests.request(runId, { requestedAt: 'later', by: 'bo@ops' }),
      ).toEqual(first);
      expect(await storage.abortRequests.take(runId)).toEqual(first);
      expect(await storage.abortRequests.take(runId)).toBeUndefined();
      const again = { requestedAt: '2026-12-05T03:00:00.000Z', by: 'bo@ops' };
      expect(await storage.abortRequests.request(runId, again)).toBeUndefined();
      expect(await storage.abortRequests.take(runId)).toEqual(again);
    } finally {
      await storage.close();
    }
  });
});
