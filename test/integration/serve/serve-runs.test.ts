/**
 * What `GET /api/runs` reads: one damaged journal must not hide the other runs; it is named
 * under `unreadable` with its problem instead.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { recentRuns, unfinishedRuns } from '#src/app/index.js';

let home: string | undefined;
afterAll(() => (home === undefined ? undefined : rm(home, { recursive: true, force: true })));

it('lists a run whose journal cannot be read as unreadable, not as an error', async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-serve-runs-'));
  const runId = 'r-20261121-020000-1a2b';
  await mkdir(join(home, 'runs', runId), { recursive: true });
  await writeFile(join(home, 'runs', runId, 'journal.jsonl'), '{"seq":1,"type":"bogus"}\n{}\n');
  expect(await recentRuns(home, 20)).toEqual([]);
  const { unreadable } = await unfinishedRuns(home);
  expect(unreadable).toEqual([expect.objectContaining({ runId })]);
});
