/**
 * Where runs live: `$DRAINCTL_HOME/runs/<run-id>/journal.jsonl`, plus `abort-requested` when
 * `drainctl abort` asked the run to stop. Run ids start with the UTC start time, so sorting
 * them sorts runs by age.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRunIdError, RunNeverStartedError, RunNotFoundError } from '../engine-errors.js';

export function runsDir(home: string): string {
  return join(home, 'runs');
}

export function runDir(home: string, runId: string): string {
  return join(runsDir(home), runId);
}

export function journalPath(home: string, runId: string): string {
  return join(runDir(home, runId), 'journal.jsonl');
}

export function abortRequestPath(home: string, runId: string): string {
  return join(runDir(home, runId), 'abort-requested');
}

/** `r-20261121-020000-1a2b`: sortable, readable over the phone at 3 am. */
export function newRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `r-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** What `newRunId` makes, and so the only names a person may give a run by. */
const RUN_ID = /^r-\d{8}-\d{6}-[0-9a-f]{4}$/;

/**
 * A run id a person gave (`status`, `resume`, `abort`): refused (`InvalidRunIdError`, exit 3)
 * unless it is one `newRunId` makes, so it names a directory in the runs directory and nothing
 * outside it.
 */
export function checkRunId(home: string, runId: string): void {
  if (!RUN_ID.test(runId)) throw new InvalidRunIdError(runId, runsDir(home));
}

export async function listRuns(home: string): Promise<string[]> {
  try {
    const names = await readdir(runsDir(home));
    const runs: string[] = [];
    for (const name of names) {
      const s = await stat(journalPath(home, name)).catch(() => undefined);
      if (s?.isFile()) runs.push(name);
    }
    return runs.sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Why a run has no journal entry to read: there is no such run, or its directory is there with
 * an empty journal or none (it never started). Never a hint that leads back to the same command.
 */
export async function noEntriesError(
  home: string,
  runId: string,
): Promise<RunNotFoundError | RunNeverStartedError> {
  const path = journalPath(home, runId);
  const isA = (p: string) =>
    stat(p).then(
      (s) => (s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other'),
      () => undefined,
    );
  if ((await isA(path)) === 'file')
    return new RunNeverStartedError(runId, path, runDir(home, runId));
  if ((await isA(runDir(home, runId))) === 'directory') {
    return new RunNeverStartedError(runId, path, runDir(home, runId), true);
  }
  return new RunNotFoundError(runId, runsDir(home));
}

export async function latestRun(home: string): Promise<string | undefined> {
  return (await listRuns(home)).at(-1);
}

export interface AbortRequest {
  requestedAt: string;
  by: string;
}

export async function writeAbortRequest(
  home: string,
  runId: string,
  request: AbortRequest,
): Promise<void> {
  await mkdir(runDir(home, runId), { recursive: true });
  await writeFile(abortRequestPath(home, runId), JSON.stringify(request));
}

export async function readAbortRequest(
  home: string,
  runId: string,
): Promise<AbortRequest | undefined> {
  try {
    return JSON.parse(await readFile(abortRequestPath(home, runId), 'utf8')) as AbortRequest;
  } catch {
    return undefined;
  }
}

/**
 * Take the run's pending `drainctl abort` request, answering it once (renamed to `.handled`, so
 * a later resume does not stop on it again). Synchronous on purpose: `drainctl abort` writes the
 * file and then sends SIGTERM, and the signal handler must tell that abort from any other
 * signal before it acts, without letting the run go on meanwhile.
 */
export function takeAbortRequest(home: string, runId: string): AbortRequest | undefined {
  const path = abortRequestPath(home, runId);
  let request: AbortRequest;
  try {
    request = JSON.parse(readFileSync(path, 'utf8')) as AbortRequest;
  } catch {
    return undefined;
  }
  renameSync(path, `${path}.handled`);
  return request;
}
