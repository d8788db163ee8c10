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
    const run = await status(['r-nope']);
    expect(run.code).toBe(3);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toContain(`RUN_NOT_FOUND: no run r-nope in ${join(home, 'runs')}`);
    expect(run.lines[0]).toContain(`ls ${join(home, 'runs')}`);
    expect(run.lines[0]).not.toContain('drainctl status');
  }, 30_000);
});
