/**
 * SharedStorage on PostgreSQL (DRAINCTL_DATABASE_URL): journals, balancer leases and schedule
 * state in tables (migrations.ts). Leases take their time from the database's clock, so
 * replicas on hosts whose clocks differ agree on when one has expired.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type {
  AbortRequestRecord,
  AbortRequests,
  ApprovalRecord,
  ApprovalRecords,
  DeliveryClaims,
  JournalLines,
  LeaseAnswer,
  LeaseFence,
  LeaseHolder,
  LeaseRequest,
  LeaseStore,
  RateBuckets,
  SharedStorage,
} from '../../ports/index.js';
import { migrate } from './migrations.js';

export interface PostgresStorageOptions {
  /** Told when an idle connection breaks (the database restarted); the pool reconnects. */
  onConnectionError?: (error: Error) => void;
  /** How long to wait for a connection before a call fails (default 3 s). */
  connectTimeoutMs?: number;
}

/** How long one statement may take, on either side of the connection. */
const STATEMENT_TIMEOUT_MS = 10_000;

/** The pool's settings: `openPostgresStorage` uses them, test/pg checks what they do. */
export function postgresPoolConfig(
  url: string,
  options: PostgresStorageOptions = {},
): pg.PoolConfig {
  return {
    connectionString: url,
    max: 5,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
    // A query on a connection the database dropped without a word must not hang a run.
    query_timeout: STATEMENT_TIMEOUT_MS,
    // And the database ends a statement the client gave up on (query_timeout alone leaves it
    // running there, holding its locks, while the caller has already moved on).
    statement_timeout: STATEMENT_TIMEOUT_MS,
  };
}

/** Connect, migrate under the advisory lock, and answer the port. */
export async function openPostgresStorage(
  url: string,
  options: PostgresStorageOptions = {},
): Promise<SharedStorage> {
  const pool = new pg.Pool(postgresPoolConfig(url, options));
  pool.on('error', (error) => options.onConnectionError?.(error));
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresStorage(pool, url);
}

/** The URL without its password, for messages. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres (DRAINCTL_DATABASE_URL)';
  }
}

interface LeaseRow {
  key: string;
  run_id: string;
  host: string;
  pid: number;
  token: string;
  acquired_at: Date;
  expires_at: Date;
}

function holderOf(row: LeaseRow): LeaseHolder {
  return {
    key: row.key,
    runId: row.run_id,
    host: row.host,
    pid: row.pid,
    token: Number(row.token),
    acquiredAt: row.acquired_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

class PostgresLeases implements LeaseStore {
  constructor(private readonly pool: pg.Pool) {}

  async acquire(request: LeaseRequest): Promise<LeaseAnswer> {
    const taken = await this.pool.query<{ token: string }>(
      `INSERT INTO drainctl_leases AS l (key, run_id, host, pid, token, acquired_at, expires_at)
       VALUES ($1, $2, $3, $4, nextval('drainctl_lease_token'), now(),
               now() + $5 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         run_id = excluded.run_id, host = excluded.host, pid = excluded.pid,
         token = excluded.token, acquired_at = excluded.acquired_at,
         expires_at = excluded.expires_at
       WHERE l.expires_at <= now() OR $6
       RETURNING token`,
      [
        request.key,
        request.runId,
        request.host,
        request.pid,
        request.ttlMs,
        request.steal === true,
      ],
    );
    const row = taken.rows[0];
    if (row !== undefined) return { taken: { key: request.key, token: Number(row.token) } };
    const holder = await this.read(request.key);
    // Released or expired between the two statements: try once more.
    if (holder === undefined) return this.acquire(request);
    return { heldBy: holder };
  }

  async renew(fence: LeaseFence, ttlMs: number): Promise<boolean> {
    const renewed = await this.pool.query(
      `UPDATE drainctl_leases SET expires_at = now() + $3 * interval '1 millisecond'
       WHERE key = $1 AND token = $2`,
      [fence.key, fence.token, ttlMs],
    );
    return renewed.rowCount === 1;
  }

  async holds(fence: LeaseFence): Promise<boolean> {
    const found = await this.pool.query(
      'SELECT 1 FROM drainctl_leases WHERE key = $1 AND token = $2 AND expires_at > now()',
      [fence.key, fence.token],
    );
    return found.rowCount === 1;
  }

  async read(key: string): Promise<LeaseHolder | undefined> {
    const found = await this.pool.query<LeaseRow>('SELECT * FROM drainctl_leases WHERE key = $1', [
      key,
    ]);
    const row = found.rows[0];
    return row === undefined ? undefined : holderOf(row);
  }

  async release(fence: LeaseFence): Promise<void> {
    // The row stays (its token is the history); only its term ends.
    await this.pool.query(
      `UPDATE drainctl_leases SET expires_at = now()
       WHERE key = $1 AND token = $2 AND expires_at > now()`,
      [fence.key, fence.token],
    );
  }
}

class PostgresJournal implements JournalLines {
  constructor(
    private readonly pool: pg.Pool,
    private readonly runId: string,
    private readonly where: string,
  ) {}

  describe(): string {
    return `run ${this.runId}'s journal in ${this.where}`;
  }

  async read(): Promise<string[]> {
    const found = await this.pool.query<{ line: string }>(
      'SELECT line FROM drainctl_journal WHERE run_id = $1 ORDER BY seq',
      [this.runId],
    );
    return found.rows.map((r) => r.line);
  }

  async append(
    seq: number,
    line: string,
    fences: readonly LeaseFence[],
  ): Promise<'appended' | 'superseded'> {
    // FOR SHARE: a takeover of one of these leases waits until this line is committed, so the
    // new holder reads it; a takeover committed first makes the lease row fail the check.
    const inserted = await this.pool.query(
      `WITH held AS (
         SELECT l.key FROM drainctl_leases l
         JOIN unnest($4::text[], $5::bigint[]) AS f(key, token)
           ON l.key = f.key AND l.token = f.token
         WHERE l.expires_at > now()
         FOR SHARE OF l
       )
       INSERT INTO drainctl_journal (run_id, seq, line)
       SELECT $1, $2, $3 WHERE (SELECT count(*) FROM held) = $6
       ON CONFLICT DO NOTHING`,
      [this.runId, seq, line, fences.map((f) => f.key), fences.map((f) => f.token), fences.length],
    );
    return inserted.rowCount === 1 ? 'appended' : 'superseded';
  }
}

/**
 * GCRA in one statement: the bucket's "full again" instant moves on by one interval per call,
 * from the database's now at the earliest, and the call may go `capacity` intervals before it.
 */
class PostgresRateBuckets implements RateBuckets {
  constructor(private readonly pool: pg.Pool) {}

  async reserve(key: string, intervalMs: number, capacity: number): Promise<number> {
    const reserved = await this.pool.query<{ wait_ms: number }>(
      `INSERT INTO drainctl_rate_buckets AS b (key, next_full)
       VALUES ($1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE
         SET next_full = GREATEST(b.next_full, now()) + $2 * interval '1 millisecond'
       RETURNING (EXTRACT(EPOCH FROM (next_full - now())) * 1000 - $3 * $2)::float8 AS wait_ms`,
      [key, intervalMs, capacity],
    );
    return Math.max(0, reserved.rows[0]?.wait_ms ?? 0);
  }
}

class PostgresAbortRequests implements AbortRequests {
  constructor(private readonly pool: pg.Pool) {}

  async request(
    runId: string,
    record: AbortRequestRecord,
  ): Promise<AbortRequestRecord | undefined> {
    // One statement: two operators asking at once leave one request, and the second is told. A
    // request already answered (the run was resumed since) is replaced.
    const left = await this.pool.query(
      `INSERT INTO drainctl_abort_requests (run_id, requested_at, requested_by) VALUES ($1, $2, $3)
       ON CONFLICT (run_id) DO UPDATE
         SET requested_at = excluded.requested_at, requested_by = excluded.requested_by,
             taken = false
         WHERE drainctl_abort_requests.taken`,
      [runId, record.requestedAt, record.by],
    );
    if (left.rowCount === 1) return undefined;
    const found = await this.pool.query<{ requested_at: string; requested_by: string }>(
      'SELECT requested_at, requested_by FROM drainctl_abort_requests WHERE run_id = $1',
      [runId],
    );
    const row = found.rows[0];
    return row === undefined ? undefined : { requestedAt: row.requested_at, by: row.requested_by };
  }

  async take(runId: string): Promise<AbortRequestRecord | undefined> {
    const taken = await this.pool.query<{ requested_at: string; requested_by: string }>(
      `UPDATE drainctl_abort_requests SET taken = true WHERE run_id = $1 AND NOT taken
       RETURNING requested_at, requested_by`,
      [runId],
    );
    const row = taken.rows[0];
    return row === undefined ? undefined : { requestedAt: row.requested_at, by: row.requested_by };
  }
}

/** How often expired delivery claims are deleted. */
const CLAIM_SWEEP_EVERY_MS = 10 * 60 * 1000;

class PostgresDeliveryClaims implements DeliveryClaims {
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly pool: pg.Pool) {}

  async claim(key: string, nowMs: number, ttlMs: number): Promise<boolean> {
    if (nowMs - this.lastSweepMs >= CLAIM_SWEEP_EVERY_MS) {
      this.lastSweepMs = nowMs;
      await this.pool.query('DELETE FROM drainctl_delivery_claims WHERE expires_at_ms <= $1', [
        Math.floor(nowMs),
      ]);
    }
    // Keys may hold a request's signature: only their hash is kept. One statement: of two
    // replicas claiming one key, the row lock lets exactly one insert or take over an expired one.
    const claimed = await this.pool.query(
      `INSERT INTO drainctl_delivery_claims (key, expires_at_ms) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET expires_at_ms = excluded.expires_at_ms
         WHERE drainctl_delivery_claims.expires_at_ms <= $3
       RETURNING key`,
      [createHash('sha256').update(key).digest('hex'), Math.ceil(nowMs + ttlMs), Math.floor(nowMs)],
    );
    return claimed.rowCount === 1;
  }
}

interface ApprovalRow {
  run_id: string;
  version: number;
  state: string;
  pending: boolean;
}

function approvalOf(row: ApprovalRow): ApprovalRecord {
  return { runId: row.run_id, version: row.version, json: row.state, pending: row.pending };
}

class PostgresApprovals implements ApprovalRecords {
  constructor(private readonly pool: pg.Pool) {}

  async read(runId: string): Promise<ApprovalRecord | undefined> {
    const found = await this.pool.query<ApprovalRow>(
      'SELECT run_id, version, state, pending FROM drainctl_chat_approvals WHERE run_id = $1',
      [runId],
    );
    const row = found.rows[0];
    return row === undefined ? undefined : approvalOf(row);
  }

  async pending(): Promise<ApprovalRecord[]> {
    const found = await this.pool.query<ApprovalRow>(
      `SELECT run_id, version, state, pending FROM drainctl_chat_approvals WHERE pending
       ORDER BY updated_at, run_id`,
    );
    return found.rows.map(approvalOf);
  }

  async create(runId: string, json: string, pending: boolean): Promise<boolean> {
    const created = await this.pool.query(
      `INSERT INTO drainctl_chat_approvals (run_id, version, state, pending) VALUES ($1, 1, $2, $3)
       ON CONFLICT (run_id) DO NOTHING`,
      [runId, json, pending],
    );
    return created.rowCount === 1;
  }

  async replace(runId: string, version: number, json: string, pending: boolean): Promise<boolean> {
    // The compare-and-set: of two replicas replacing one version, the row lock lets the first
    // through and the second finds the version moved on (no row updated).
    const replaced = await this.pool.query(
      `UPDATE drainctl_chat_approvals
       SET version = version + 1, state = $3, pending = $4, updated_at = now()
       WHERE run_id = $1 AND version = $2`,
      [runId, version, json, pending],
    );
    return replaced.rowCount === 1;
  }

  async prune(keptMs: number): Promise<void> {
    await this.pool.query(
      `DELETE FROM drainctl_chat_approvals
       WHERE NOT pending AND updated_at < now() - $1 * interval '1 millisecond'`,
      [keptMs],
    );
  }
}

class PostgresStorage implements SharedStorage {
  readonly leases: LeaseStore;
  readonly rateBuckets: RateBuckets;
  readonly abortRequests: AbortRequests;
  readonly deliveryClaims: DeliveryClaims;
  readonly approvals: ApprovalRecords;
  private readonly where: string;

  constructor(
    private readonly pool: pg.Pool,
    url: string,
  ) {
    this.leases = new PostgresLeases(pool);
    this.rateBuckets = new PostgresRateBuckets(pool);
    this.abortRequests = new PostgresAbortRequests(pool);
    this.deliveryClaims = new PostgresDeliveryClaims(pool);
    this.approvals = new PostgresApprovals(pool);
    this.where = describeDatabaseUrl(url);
  }

  describe(): string {
    return this.where;
  }

  journal(runId: string): JournalLines {
    return new PostgresJournal(this.pool, runId, this.where);
  }

  async listRuns(): Promise<string[]> {
    const found = await this.pool.query<{ run_id: string }>(
      'SELECT DISTINCT run_id FROM drainctl_journal ORDER BY run_id',
    );
    return found.rows.map((r) => r.run_id);
  }

  async unfinishedRuns(): Promise<string[]> {
    const found = await this.pool.query<{ run_id: string }>(
      `SELECT run_id FROM drainctl_journal GROUP BY run_id
       HAVING NOT bool_or((line::jsonb) ->> 'type' = 'done')
       ORDER BY run_id`,
    );
    return found.rows.map((r) => r.run_id);
  }

  async loadScheduleState(schedule: string): Promise<string | undefined> {
    const found = await this.pool.query<{ state: string }>(
      'SELECT state FROM drainctl_schedule_state WHERE schedule = $1',
      [schedule],
    );
    return found.rows[0]?.state;
  }

  async saveScheduleState(schedule: string, json: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO drainctl_schedule_state (schedule, state) VALUES ($1, $2)
       ON CONFLICT (schedule) DO UPDATE SET state = excluded.state, updated_at = now()`,
      [schedule, json],
    );
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
