import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

beforeAll(() => {
  if (binDir === undefined) throw new Error(POSTGRES_MISSING);
  cluster = startPostgresCluster(binDir);
}, 60_000);
afterAll(() => cluster?.close());

describe('PostgreSQL storage', () => {
  it('migrates once when replicas start together, under the advisory lock', async () => {
    const url = await cluster.createDatabase('migrate_together');
    const opened = await Promise.all([1, 2, 3].map(() => openPostgresStorage(url)));
    try {
      const [first] = opened as [SharedStorage];
      expect(await first.listRuns()).toEqual([]);
    } finally {
      await Promise.all(opened.map((s) => s.close()));
    }
  });
});
