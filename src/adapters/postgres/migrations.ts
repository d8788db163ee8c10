/**
 * The schema, as numbered steps applied in order at start. Replicas starting together take an
 * advisory lock first, so exactly one applies a step and the others find it done.
 */
import type { Pool } from 'pg';

/** Held while migrating; any constant shared by every drainctl works. */
const MIGRATION_LOCK = 0x6472_6e63; // "drnc"

export const MIGRATIONS: readonly string[] = [
  `CREATE SEQUENCE drainctl_lease_token;
   CREATE TABLE drainctl_leases (
     key text PRIMARY KEY,
     run_id text NOT NULL,
     host text NOT NULL,
     pid integer NOT NULL,
     token bigint NOT NULL,
     acquired_at timestamptz NOT NULL,
     expires_at timestamptz NOT NULL
   );
   CREATE TABLE drainctl_journal (
     run_id text NOT NULL,
     seq integer NOT NULL,
     line text NOT NULL,
     written_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (run_id, seq)
   );
   CREATE TABLE drainctl_schedule_state (
     schedule text PRIMARY KEY,
     state text NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   );`,
  `CREATE TABLE drainctl_rate_buckets (
     key text PRIMARY KEY,
     next_full timestamptz NOT NULL
   );`,
  `CREATE TABLE drainctl_abort_requests (
     run_id text PRIMARY KEY,
     requested_at text NOT NULL,
     requested_by text NOT NULL,
     taken boolean NOT NULL DEFAULT false
   );
   CREATE TABLE drainctl_delivery_claims (
     key text PRIMARY KEY,
     expires_at_ms bigint NOT NULL
   );`,
  `CREATE TABLE drainctl_chat_approvals (
     run_id text PRIMARY KEY,
     version integer NOT NULL,
     state text NOT NULL,
     pending boolean NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   );`,
];

/** Apply the steps this database lacks; returns how many were applied. */
export async function migrate(pool: Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS drainctl_migrations (
           version integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const done = await client.query<{ version: number }>(
        'SELECT version FROM drainctl_migrations',
      );
      const applied = new Set(done.rows.map((r) => r.version));
      let count = 0;
      for (const [index, sql] of MIGRATIONS.entries()) {
        const version = index + 1;
        if (applied.has(version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO drainctl_migrations (version) VALUES ($1)', [version]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        count += 1;
      }
      return count;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
