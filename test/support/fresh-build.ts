/**
 * Vitest global setup: the tests spawn `drainctl` from its build (bin/drainctl.js → dist/), which
 * starts in a third of the CPU its sources under tsx take — the suite spawns hundreds of them on
 * two cores. So that a test never runs a build older than the code, dist/ is rebuilt (esbuild, a
 * few seconds) whenever any file it is built from is newer than it. A fresh clone's `npm ci`
 * has just built it, so CI never rebuilds.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './cli-runner.js';

const run = promisify(execFile);

/** What dist/ is made of: every file under these is compared with the build. */
const INPUTS = ['src', 'mocks', 'scripts/build.js', 'package-lock.json', 'tsconfig.json'];
const BUILT = join(repoRoot, 'dist', 'cli', 'main.js');
const LOCK = join(repoRoot, 'dist.building');

function newestInput(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file shows only as its folder's change
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestInput(join(path, entry)));
  return newest;
}

function isStale(): boolean {
  const built = statSync(BUILT, { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) return true;
  return INPUTS.some((input) => newestInput(join(repoRoot, input)) > built);
}

export default async function freshBuild(): Promise<void> {
  if (!isStale()) return;
  // Two test runs started at once in one checkout build once: the second waits for the first.
  // A lock whose builder is gone (a run interrupted while it built) is taken over, not waited
  // on for ever.
  const giveUpAt = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!builderAlive()) {
        rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > giveUpAt) {
        throw new Error(`${LOCK} is held by a build that has not ended in 2 minutes`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (isStale()) await run(process.execPath, [join(repoRoot, 'scripts', 'build.js')]);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Whether the process named in the lock still runs; a lock just made, its pid not yet written, counts as alive. */
function builderAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
