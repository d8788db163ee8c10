/**
 * `drainctl status` on journals that are not runs: an empty journal (the run never wrote its
 * plan), a last line of an unknown type, an id that names no run. Each is one line on stderr
 * that says what is wrong with which file and what to do — never a hint back to `status` — and
 * a non-zero exit; nothing is printed as if it were a run. The real binary, spawned.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDrainctl } from '#support/cli-runner.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-status-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const RUN = 'r-20261121-020000-1a2b';
const TS = '2026-11-21T02:00:00.000Z';

async function writeJournal(text: string): Promise<string> {
  const dir = join(home, 'runs', RUN);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'journal.jsonl'), text);
  return dir;
}

function planLine(): string {
  const plan = buildPlan(new InMemoryWorld(fleet(2)), { minHealthy: 1, maxUnavailable: 1 });
  const entry = { seq: 1, ts: TS, type: 'plan', runId: RUN, sha256: plan.sha256, plan };
  return JSON.stringify({ ...entry, redacted: false, pid: 1, host: 'h' });
}

async function status(args: string[]) {
  const run = await runDrainctl(['status', ...args], { env: { DRAINCTL_HOME: home } });
  return { ...run, lines: run.stderr.split('\n').filter((line) => line.trim() !== '') };
}

describe('drainctl status on a journal that is not a run', () => {
  it('a zero-byte journal: the run never started, remove its directory', async () => {
    const dir = await writeJournal('');
    for (const args of [[RUN], []]) {
      const run = await status(args);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.lines).toHaveLength(1);
      expect(run.lines[0]).toContain(`RUN_NEVER_STARTED: run ${RUN} never started`);
      expect(run.lines[0]).toContain(join(dir, 'journal.jsonl'));
      expect(run.lines[0]).toContain(`remove ${dir}`);
      expect(run.lines[0]).not.toContain('drainctl status');
    }
  }, 30_000);

  it('a complete last line of an unknown type: corrupt, naming the file and the line', async () => {
    const bogus = JSON.stringify({ seq: 2, ts: TS, type: 'bogus', node: 'i-node-1' });
    const dir = await writeJournal(`${planLine()}\n${bogus}\n`);
    const run = await status([RUN]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toContain(
      `JOURNAL_CORRUPT: ${join(dir, 'journal.jsonl')}: line 2 is not a journal entry: type "bogus"`,
    );
    expect(run.lines[0]).not.toContain('NaN');
  }, 30_000);

  it('an id that names no run: says where runs are, not to ask status again', async () => {
    await writeJournal(`${planLine()}\n`);
    const other = 'r-20261121-020000-ffff';
    const run = await status([other]);
    expect(run.code).toBe(3);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toContain(`RUN_NOT_FOUND: no run ${other} in ${join(home, 'runs')}`);
    expect(run.lines[0]).toContain(`ls ${join(home, 'runs')}`);
    expect(run.lines[0]).not.toContain('drainctl status');
  }, 30_000);

  it('an id that is not a run id is refused before any file is read: no path outside the runs', async () => {
    // A journal outside DRAINCTL_HOME/runs that `../../victim` would reach.
    const victim = join(home, 'victim');
    await mkdir(victim, { recursive: true });
    await writeFile(join(victim, 'journal.jsonl'), `${planLine()}\n`);
    for (const [command, id] of [
      ['status', '../../victim'],
      ['status', 'r-nope'],
      ['resume', '../../victim'],
      ['abort', `${RUN}/..`],
    ] as const) {
      const run = await runDrainctl([command, id, ...(command === 'resume' ? ['--yes'] : [])], {
        env: { DRAINCTL_HOME: join(home, 'h') },
      });
      const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
      expect({ command, id, code: run.code, stdout: run.stdout }).toEqual({
        command,
        id,
        code: 3,
        stdout: '',
      });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(
        `INVALID_INPUT: run id: expected an id like r-20261121-020000-1a2b (r-, the UTC start date and time, 4 hex digits), found ${JSON.stringify(id)}`,
      );
    }
  }, 60_000);

  it('a run directory without a journal never started: names the directory, not "no run"', async () => {
    const dir = join(home, 'runs', RUN);
    await mkdir(dir, { recursive: true });
    const run = await status([RUN]);
    expect(run.code).toBe(3);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toContain(
      `RUN_NEVER_STARTED: run ${RUN} never started: ${dir} holds no journal (journal.jsonl)`,
    );
    expect(run.lines[0]).toContain(`remove ${dir}`);
  }, 30_000);

  it("a copied or renamed run directory: names the directory and the journal's run, for status and resume", async () => {
    const copy = 'r-20261121-030000-beef';
    await writeJournal(`${planLine()}\n`);
    const dir = join(home, 'runs', copy);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'journal.jsonl'), `${planLine()}\n`);
    for (const args of [['status', copy], ['status'], ['resume', copy, '--yes']]) {
      const run = await runDrainctl(args, { env: { DRAINCTL_HOME: home } });
      const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 3, stdout: '' });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(
        `RUN_DIR_MISMATCH: ${dir} holds the journal of run ${RUN} (its plan entry says so)`,
      );
      expect(lines[0]).toContain(`rename it back to ${RUN}`);
    }
  }, 60_000);
});
