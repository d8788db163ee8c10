/**
 * The balancer lease on a real PostgreSQL: one holder at a time, a larger token for every new
 * holder, takeover only after expiry, and a holder whose lease went elsewhere (or may have)
 * can neither pass the check before a change nor write a journal line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '#src/adapters/postgres/postgres-storage.js';
import { systemClock } from '#src/app/composition-root.js';
import { LockHeldError, LockLostError } from '#src/engine/engine-errors.js';
import { SharedJournalStore } from '#src/engine/journal/shared-journal-store.js';
import { JournalAdvancedError } from '#src/engine/journal/store.js';
import { BalancerLease } from '#src/engine/lock/balancer-lease.js';
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
  await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
  cluster?.close();
});

async function storage(database: string): Promise<SharedStorage> {
  const s = await openPostgresStorage(await cluster.createDatabase(database), {
    connectTimeoutMs: 500,
  });
  opened.push(s);
  return s;
}

const lease = (s: SharedStorage, runId: string, ttlMs: number, marginMs = 200) =>
  BalancerLease.acquire('lb-1', {
    leases: s.leases,
    runId,
    clock: systemClock,
    ttlMs,
    marginMs,
  });

/** A journal line as the engine writes it; the plan entry is not parsed by the adapter. */
const line = (seq: number) => JSON.stringify({ seq, type: 'note', message: `line ${seq}` });

describe('balancer lease', () => {
  it('is refused while held, and a new holder gets a larger token once it is released', async () => {
    const s = await storage('lease_held');
    const a = await lease(s, 'r-a', 30_000);
    const refused = await lease(s, 'r-b', 30_000).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect((refused as Error).message).toContain('held by run r-a');
    await a.release();
    const b = await lease(s, 'r-b', 30_000);
    expect(b.fence.token).toBeGreaterThan(a.fence.token);
    await b.release();
  });

  it('goes to another replica after expiry; the old holder can change nothing', async () => {
    const s = await storage('lease_expiry');
    const a = await lease(s, 'r-a', 1_000, 0);
    await new Promise((r) => setTimeout(r, 1_300));
    const b = await lease(s, 'r-b', 30_000);
    const lost = await a.verify().catch((e: unknown) => e);
    // Its own term ran out first: it stops without asking the database.
    expect(lost).toBeInstanceOf(LockLostError);
    expect((lost as Error).message).toContain('may have expired');
    // Its journal line is refused by the database, whatever the holder believes.
    const journal = s.journal('r-x');
    const old = new SharedJournalStore(
      journal,
      { fences: () => [a.fence], heldUntil: () => undefined },
      systemClock,
    );
    await expect(old.append(line(1))).rejects.toBeInstanceOf(JournalAdvancedError);
    const current = new SharedJournalStore(
      journal,
      { fences: () => [b.fence], heldUntil: () => undefined },
      systemClock,
    );
    await current.append(line(1));
    expect(await journal.read()).toEqual([line(1)]);
    await b.release();
  });

  it('taken with --break-lock within its term: the check names the new holder', async () => {
    const s = await storage('lease_stolen');
    const a = await lease(s, 'r-a', 30_000);
    const b = await BalancerLease.acquire('lb-1', {
      leases: s.leases,
      runId: 'r-b',
      clock: systemClock,
      breakLock: true,
    });
    const lost = await a.verify().catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(LockLostError);
    expect((lost as LockLostError).message).toContain('went to run r-b');
    expect((lost as LockLostError).holderRunId).toBe('r-b');
    await b.release();
  });

  it('a renewed lease is not taken: its holder keeps it past the first term', async () => {
    const s = await storage('lease_renewed');
    const a = await lease(s, 'r-a', 1_000, 0);
    a.startHeartbeat(() => {}, 200);
    await new Promise((r) => setTimeout(r, 1_500));
    await expect(lease(s, 'r-b', 1_000)).rejects.toBeInstanceOf(LockHeldError);
    await a.verify();
    await a.release();
  });
});

describe('PostgreSQL stopped for 10 s', () => {
  it('within the lease term: the journal line waits for the database and is written after it', async () => {
    const s = await storage('outage_within_term');
    const a = await lease(s, 'r-a', 30_000, 5_000);
    const journal = s.journal('r-out');
    const store = new SharedJournalStore(
      journal,
      { fences: () => [a.fence], heldUntil: () => a.heldUntil() },
      systemClock,
    );
    await store.append(line(1));
    cluster.stop();
    const stoppedAt = Date.now();
    let appendedAt: number | undefined;
    const appending = store.append(line(2)).then(() => {
      appendedAt = Date.now();
    });
    // The check before a change cannot pass while the database is away.
    await expect(a.verify()).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 10_000));
    expect(appendedAt).toBeUndefined();
    const restartedAt = Date.now();
    cluster.start();
    await appending;
    expect(appendedAt).toBeGreaterThanOrEqual(restartedAt);
    expect(restartedAt - stoppedAt).toBeGreaterThanOrEqual(10_000);
    expect(await journal.read()).toEqual([line(1), line(2)]);
    await a.verify();
    await a.release();
  }, 60_000);

  it('past the lease term: the holder gives up without the database and writes nothing', async () => {
    const s = await storage('outage_past_term');
    const a = await lease(s, 'r-a', 3_000, 1_000);
    const journal = s.journal('r-out');
    const store = new SharedJournalStore(
      journal,
      { fences: () => [a.fence], heldUntil: () => a.heldUntil() },
      systemClock,
    );
    await store.append(line(1));
    let lost: Error | undefined;
    a.startHeartbeat((error) => {
      lost = error;
    }, 500);
    cluster.stop();
    try {
      const failed = await store.append(line(2)).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(Error);
      expect(failed).not.toBeInstanceOf(JournalAdvancedError);
      await new Promise((r) => setTimeout(r, 10_000));
      expect(lost).toBeInstanceOf(LockLostError);
      await expect(a.verify()).rejects.toBeInstanceOf(LockLostError);
    } finally {
      cluster.start();
    }
    expect(await journal.read()).toEqual([line(1)]);
    a.stopHeartbeat();
  }, 60_000);
});
