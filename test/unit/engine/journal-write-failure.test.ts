/**
 * A journal that cannot be written (a full DRAINCTL_HOME, a read-only remount, an I/O error) is
 * said as what it is — JOURNAL_WRITE_FAILED with the path and what the errno means — never as a
 * lock lost to "another writer" that does not exist. Real I/O failures: /dev/full answers every
 * write with ENOSPC; a file-size limit makes the kernel take a line only in part, as a disk
 * filling up does, then refuse the rest.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalWriteError } from '#src/engine/engine-errors.js';
import type { JournalEntry, NewEntry } from '#src/engine/journal/entries.js';
import { Journal } from '#src/engine/journal/journal.js';
import { foldJournal } from '#src/engine/journal/run-state.js';
import { FileJournalStore, parseJournal } from '#src/engine/journal/store.js';
import { describeStanding, journalWriteFailure } from '#src/engine/reporting/journal-failure.js';
import { describeIoError, ioErrorRemedy } from '#src/errors/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { InMemoryWorld } from '#support/in-memory-world.js';
import { ManualClock } from '#support/manual-clock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drainctl-journal-full-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const errno = (code: string) => Object.assign(new Error(`${code}: system words`), { code });

describe('a journal that cannot be written', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'on a full device: JOURNAL_WRITE_FAILED naming the path and "no space left on the device", never a lost lock; nothing later is written',
    async () => {
      const path = join(dir, 'journal.jsonl');
      const journal = await Journal.open(new FileJournalStore(path), new ManualClock());
      await symlink('/dev/full', path); // every write to it answers ENOSPC
      const first = journal.append({ type: 'note', message: 'one' });
      await expect(first).rejects.toBeInstanceOf(JournalWriteError);
      await expect(first).rejects.toMatchObject({
        code: 'JOURNAL_WRITE_FAILED',
        errno: 'ENOSPC',
        message: `cannot write the run journal ${path}: no space left on the device (ENOSPC)`,
        hint: expect.stringContaining(`free space on the device holding ${dir}`),
      });
      await expect(journal.append({ type: 'note', message: 'two' })).rejects.toMatchObject({
        code: 'JOURNAL_WRITE_FAILED',
      });
      expect(journal.unwritten.map((e) => (e.type === 'note' ? e.message : e.type))).toEqual([
        'one',
        'two',
      ]);
      await journal.close();
    },
  );

  it('a line the file system takes only in part is a write error, not another writer (real short write under a file-size limit)', async () => {
    const path = join(dir, 'journal.jsonl');
    const script = fileURLToPath(new URL('./append-until-failure.ts', import.meta.url));
    // 1024 bytes (POSIX `ulimit -f` counts 512-byte blocks); each line is ~290 bytes, so the
    // fourth line is cut at the limit and the write of its rest fails with EFBIG.
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        'sh',
        ['-c', 'ulimit -f 2 && exec "$0" --import tsx "$1" "$2"', process.execPath, script, path],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    const { lastSeq, errors } = JSON.parse(out) as {
      lastSeq: number;
      errors: Array<{ code?: string; errno?: string; message: string }>;
    };
    expect(errors[0]).toMatchObject({ code: 'JOURNAL_WRITE_FAILED', errno: 'EFBIG' });
    expect(errors[0]?.message).not.toMatch(/lock lost|another writer/);
    expect(errors[1]?.code).toBe('JOURNAL_WRITE_FAILED');
    // What the journal reports as written is exactly what is on disk; the torn rest is ignored.
    const text = await readFile(path, 'utf8');
    expect(Buffer.byteLength(text)).toBe(1024);
    expect(parseJournal(text, path).entries.map((e) => e.seq)).toEqual(
      Array.from({ length: lastSeq }, (_, i) => i + 1),
    );
  });
});

describe('what a person is told', () => {
  it('says what the errno means and what to do: ENOSPC, EDQUOT, EROFS, EIO; others keep their own words', () => {
    expect(describeIoError(errno('ENOSPC'))).toBe('no space left on the device (ENOSPC)');
    expect(describeIoError(errno('EDQUOT'))).toBe('the disk quota is used up (EDQUOT)');
    expect(describeIoError(errno('EROFS'))).toMatch(/^the file system is read-only .*\(EROFS\)$/);
    expect(describeIoError(errno('EIO'))).toBe('an I/O error on the device (EIO)');
    expect(describeIoError(errno('ENOTCONN'))).toBe('ENOTCONN: system words');
    expect(ioErrorRemedy(errno('EROFS'), '/h')).toContain(
      'make the file system holding /h writable again',
    );
    expect(ioErrorRemedy(errno('EIO'), '/h')).toContain('check the device holding /h');
  });

  it.each([
    ['EROFS', 'the file system is read-only'],
    ['EIO', 'an I/O error on the device'],
  ])(
    'a journal failing with %s is a write failure with those words, not a lost lock',
    async (code, words) => {
      const journal = await Journal.open(
        {
          describe: () => '/h/runs/r-1/journal.jsonl',
          read: async () => [],
          close: async () => {},
          append: async () => {
            throw errno(code);
          },
        },
        new ManualClock(),
      );
      await expect(journal.append({ type: 'note', message: 'x' })).rejects.toMatchObject({
        code: 'JOURNAL_WRITE_FAILED',
        errno: code,
        message: expect.stringContaining(`/h/runs/r-1/journal.jsonl: ${words}`),
      });
    },
  );

  it('names each node as last journaled, what was sent and never journaled as done (in doubt), what was not sent, and how to continue', () => {
    const world = new InMemoryWorld(fleet(3));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 2 });
    const [a, b] = world.nodes.map((n) => n.id);
    const at = { ts: '2026-11-21T02:00:00.000Z' };
    const lines: NewEntry[] = [
      { type: 'plan', runId: 'r-1', sha256: plan.sha256, plan, redacted: false, pid: 1, host: 'h' },
      { type: 'node-state', node: a ?? '', from: 'pending', state: 'draining' },
      setWeight(a ?? '', 'intent', 'drain-a'),
      setWeight(a ?? '', 'result', 'drain-a'),
      { type: 'node-state', node: a ?? '', from: 'draining', state: 'rebooting' },
      reboot(a ?? '', 'intent'),
      { type: 'node-state', node: b ?? '', from: 'pending', state: 'draining' },
      setWeight(b ?? '', 'intent', 'drain-b'),
    ];
    const state = foldJournal(lines.map((e, i) => ({ ...e, ...at, seq: i + 1 }) as JournalEntry));
    // The drain of b was answered, then its result could not be written; a's reboot never was.
    const unwritten: NewEntry[] = [setWeight(b ?? '', 'result', 'drain-b')];
    const standing = describeStanding(state, unwritten);
    expect(standing).toBe(
      `nodes as last journaled: web-1 (${a}) rebooting, weight 0 (in doubt: reboot sent, never journaled as done); web-2 (${b}) draining, weight 100 (weight 100→0 applied, but its result could not be journaled); pending (untouched): web-3 (i-node-3)`,
    );
    const notSent = describeStanding(state, [reboot(b ?? '', 'intent')]);
    expect(notSent).toContain(
      `web-2 (${b}) draining, weight 100 (in doubt: weight 100→0 sent, never journaled as done, reboot not sent)`,
    );

    const error = journalWriteFailure(
      new JournalWriteError('/h/runs/r-1/journal.jsonl', errno('ENOSPC')),
      state,
      'r-1',
      unwritten,
    );
    expect(error.message).toBe(
      `cannot write the run journal /h/runs/r-1/journal.jsonl: no space left on the device (ENOSPC); run r-1 stopped at once and changed nothing more (no change is made before its journal entry is on disk); ${standing}`,
    );
    expect(error.hint).toBe(
      'free space on the device holding /h/runs/r-1, then `drainctl resume r-1`: it reads back what is in doubt, reconciles the journal with the live state and continues',
    );
    const before = journalWriteFailure(
      new JournalWriteError('/h/runs/r-2/journal.jsonl', errno('ENOSPC')),
      undefined,
      'r-2',
      [],
    );
    expect(before.message).toContain('run r-2 did not start: nothing was changed');
    expect(before.hint).toBe('free space on the device holding /h/runs/r-2, then run it again');
  });
});

function setWeight(node: string, type: 'intent' | 'result', opId: string): NewEntry {
  const step = `s-${opId}`;
  return type === 'intent'
    ? {
        type,
        step,
        opId,
        op: 'set-weight',
        node,
        target: { loadBalancerId: 'lb-model', serverId: node },
        before: { weight: 100 },
        to: { weight: 0 },
      }
    : {
        type,
        step,
        opId,
        op: 'set-weight',
        node,
        applied: true,
        after: { serverId: node, weight: 0 },
      };
}

function reboot(node: string, type: 'intent'): NewEntry {
  return {
    type,
    step: `s-reboot-${node}`,
    opId: `s-reboot-${node}`,
    op: 'reboot',
    node,
    target: { instanceId: node, via: 'ecs' },
    before: {},
    to: { rebooted: true },
  };
}
