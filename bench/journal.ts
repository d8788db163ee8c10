/**
 * Journal append latency and the runs per minute one replica's storage can take: the file
 * journal (write + fsync under DRAINCTL_HOME, the file lock) against PostgreSQL (an INSERT
 * fenced by the run's lease, the lease). Not a test: it prints figures for docs/benchmarks.md.
 *
 *   npm run bench:journal                       # 2000 appends each, 50 runs of 60 entries
 *   npm run bench:journal -- --appends 500
 *
 * PostgreSQL: DRAINCTL_BENCH_DATABASE_URL if set, else a cluster of the Debian binaries started
 * in a temporary directory (fsync on, unix socket) and removed afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { openPostgresStorage } from '#src/adapters/postgres/postgres-storage.js';
import { SharedJournalStore } from '#src/engine/journal/shared-journal-store.js';
import { FileJournalStore, type JournalStore } from '#src/engine/journal/store.js';
import { BalancerLease } from '#src/engine/lock/balancer-lease.js';
import { BalancerLock } from '#src/engine/lock/balancer-lock.js';
import type { SharedStorage } from '#src/ports/index.js';
import { postgresBinDir, startPostgresCluster } from '#support/postgres-cluster.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const APPENDS = flag('appends', 2000);
const RUNS = flag('runs', 50);
/** About what a three-server night journals (plan, intents and results, drains, checks, done). */
const ENTRIES_PER_RUN = flag('entries', 60);

/** A note entry of a typical size (a few hundred bytes). */
const line = (seq: number) =>
  JSON.stringify({
    seq,
    ts: new Date().toISOString(),
    type: 'note',
    message: `drain of i-bench-${seq % 3}: 0.0 requests/s for 30 s (quiet), last real request 31 s ago; ${'x'.repeat(200)}`,
  });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function appendLatencies(store: JournalStore, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let seq = 1; seq <= count; seq += 1) {
    const started = performance.now();
    await store.append(line(seq));
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

/** Runs one after another: take the lock, journal the entries, release; runs per minute. */
async function runsPerMinute(oneRun: (index: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < RUNS; i += 1) await oneRun(i);
  return (RUNS * 60_000) / (performance.now() - started);
}

const fmt = (ms: number) => ms.toFixed(2);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'drainctl-bench-journal-'));
  let cluster: ReturnType<typeof startPostgresCluster> | undefined;
  let storage: SharedStorage | undefined;
  try {
    // File.
    const fileStore = new FileJournalStore(join(dir, 'append', 'journal.jsonl'));
    const fileTimes = await appendLatencies(fileStore, APPENDS);
    await fileStore.close();
    const fileRuns = await runsPerMinute(async (i) => {
      const runId = `r-bench-${i}`;
      const lock = await BalancerLock.acquire('lb-bench', { home: dir, runId, clock: systemClock });
      const store = new FileJournalStore(join(dir, 'runs', runId, 'journal.jsonl'));
      for (let seq = 1; seq <= ENTRIES_PER_RUN; seq += 1) {
        await lock.verify();
        await store.append(line(seq));
      }
      await store.close();
      await lock.release();
    });

    // PostgreSQL.
    let url = process.env.DRAINCTL_BENCH_DATABASE_URL;
    if (url === undefined || url === '') {
      const binDir = postgresBinDir();
      if (binDir === undefined) throw new Error('PostgreSQL is not installed');
      cluster = startPostgresCluster(binDir, { durable: true });
      url = await cluster.createDatabase('bench_journal');
    }
    storage = await openPostgresStorage(url);
    const shared = storage;
    const lease = await BalancerLease.acquire('lb-bench-append', {
      leases: shared.leases,
      runId: 'r-bench-append',
      clock: systemClock,
    });
    const fence = { fences: () => [lease.fence], heldUntil: () => lease.heldUntil() };
    const pgTimes = await appendLatencies(
      new SharedJournalStore(shared.journal('r-bench-append'), fence, systemClock),
      APPENDS,
    );
    await lease.release();
    const pgRuns = await runsPerMinute(async (i) => {
      const runId = `r-bench-run-${i}`;
      const held = await BalancerLease.acquire('lb-bench', {
        leases: shared.leases,
        runId,
        clock: systemClock,
      });
      const store = new SharedJournalStore(
        shared.journal(runId),
        { fences: () => [held.fence], heldUntil: () => held.heldUntil() },
        systemClock,
      );
      for (let seq = 1; seq <= ENTRIES_PER_RUN; seq += 1) {
        await held.verify();
        await store.append(line(seq));
      }
      await held.release();
    });

    console.log(`appends: ${APPENDS} each; runs: ${RUNS} of ${ENTRIES_PER_RUN} entries each`);
    console.log('store        p50 ms  p99 ms  max ms  runs/min (storage only)');
    for (const [name, times, runs] of [
      ['file', fileTimes, fileRuns],
      ['postgresql', pgTimes, pgRuns],
    ] as const) {
      console.log(
        `${name.padEnd(12)} ${fmt(percentile(times, 50)).padStart(6)}  ${fmt(percentile(times, 99)).padStart(6)}  ${fmt(times.at(-1) ?? 0).padStart(6)}  ${Math.round(runs)}`,
      );
    }
    console.log(
      `journal: file-p99-ms=${fmt(percentile(fileTimes, 99))} pg-p99-ms=${fmt(percentile(pgTimes, 99))}`,
    );
  } finally {
    await storage?.close();
    cluster?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
