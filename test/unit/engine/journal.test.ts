import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '#src/engine/journal/journal.js';
import { foldJournal } from '#src/engine/journal/run-state.js';
import { FileJournalStore, JournalCorruptError, parseJournal } from '#src/engine/journal/store.js';
import { registerSecret } from '#src/log/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { noFaults } from '#support/in-memory-faults.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';
import { ManualClock } from '#support/manual-clock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drainctl-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function plan() {
  const world = new InMemoryWorld(fleet(2));
  return buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
}

/** The plan entry a run journals first. */
function planEntry(p: ReturnType<typeof plan>) {
  return {
    type: 'plan',
    runId: 'r-1',
    sha256: p.sha256,
    plan: p,
    redacted: false,
    pid: 1,
    host: 'h',
  } as const;
}

const TS = '2026-11-21T02:00:00.000Z';
const planLine = JSON.stringify({ seq: 1, ts: TS, ...planEntry(plan()) });
const note = (seq: number) => JSON.stringify({ seq, ts: TS, type: 'note', message: 'm' });

describe('journal', () => {
  it('writes one numbered, stamped JSON object per line, the plan and its sha256 first', async () => {
    const path = join(dir, 'journal.jsonl');
    const journal = await Journal.open(new FileJournalStore(path), new ManualClock());
    const p = plan();
    await journal.append(planEntry(p));
    await journal.append({ type: 'note', message: 'hello' });
    await journal.close();
    const lines = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.seq, l.type])).toEqual([
      [1, 'plan'],
      [2, 'note'],
    ]);
    expect(lines[0].sha256).toBe(p.sha256);
    expect(lines[0].ts).toBe('2026-11-21T02:00:00.000Z');
  });

  it('keeps only intents and results in memory; what it opened is handed over once', async () => {
    const path = join(dir, 'journal.jsonl');
    const journal = await Journal.open(new FileJournalStore(path), new ManualClock());
    const p = plan();
    await journal.append(planEntry(p));
    const target = { loadBalancerId: 'lb-1', serverId: 'i-1' };
    await journal.append({
      type: 'intent',
      step: 's-1',
      opId: 's-1',
      op: 'set-weight',
      node: 'i-1',
      target,
      before: { weight: 100 },
      to: { weight: 0 },
    });
    await journal.append({ type: 'note', message: 'between' });
    await journal.append({
      type: 'result',
      step: 's-1',
      opId: 's-1',
      op: 'set-weight',
      node: 'i-1',
      applied: true,
      after: { serverId: 'i-1', weight: 0 },
    });
    expect(journal.mutations.map((e) => [e.seq, e.type])).toEqual([
      [2, 'intent'],
      [4, 'result'],
    ]);
    expect(journal.lastSeq).toBe(4);
    await journal.close();

    const again = await Journal.open(new FileJournalStore(path), new ManualClock());
    expect(again.mutations.map((e) => e.seq)).toEqual([2, 4]);
    expect(again.lastSeq).toBe(4);
    expect(again.takeOpened().map((e) => e.type)).toEqual(['plan', 'intent', 'note', 'result']);
    expect(again.takeOpened()).toEqual([]);
    await again.append({ type: 'note', message: 'resumed' });
    expect(again.lastSeq).toBe(5);
    await again.close();
  });

  it('tolerates a torn last line, and cuts it before appending again', async () => {
    const path = join(dir, 'journal.jsonl');
    const journal = await Journal.open(new FileJournalStore(path), new ManualClock());
    const p = plan();
    await journal.append(planEntry(p));
    await journal.close();
    await appendFile(path, '{"seq":2,"ts":"2026-11-21T02:00:00.000Z","type":"inte');
    const reader = new FileJournalStore(path);
    expect((await reader.read()).map((e) => e.seq)).toEqual([1]);
    // Reading (status) never changes the file; opening to write repairs it.
    expect(await readFile(path, 'utf8')).toContain('"type":"inte');
    const again = await Journal.open(new FileJournalStore(path), new ManualClock());
    await again.append({ type: 'note', message: 'resumed' });
    await again.close();
    const entries = await new FileJournalStore(path).read();
    expect(entries.map((e) => [e.seq, e.type])).toEqual([
      [1, 'plan'],
      [2, 'note'],
    ]);
  });

  it('treats a complete entry without its newline as torn too (the write did not finish)', () => {
    const { entries } = parseJournal(`${planLine}\n${note(2)}`, 'j');
    expect(entries.map((e) => e.seq)).toEqual([1]);
  });

  it('refuses a damaged line in the middle: that is not a crash, it needs a person', () => {
    expect(() => parseJournal(`${planLine}\ngarbage\n${note(3)}\n`, 'j')).toThrow(
      JournalCorruptError,
    );
  });

  it('refuses a complete last line of an unknown type, or a known type missing a field', () => {
    for (const [last, problem] of [
      [
        JSON.stringify({ seq: 2, ts: TS, type: 'bogus', node: 'i-node-1' }),
        'line 2 is not a journal entry: type "bogus" is not an entry type (expected one of plan, resume,',
      ],
      [
        JSON.stringify({ seq: 2, ts: TS, type: 'note' }),
        'line 2 is not a journal entry: a note entry without message (text)',
      ],
      [
        JSON.stringify({ seq: 2, ts: 'yesterday', type: 'note', message: 'm' }),
        'line 2 is not a journal entry: ts: expected an ISO time, found "yesterday"',
      ],
      [
        JSON.stringify({
          seq: 2,
          ts: TS,
          type: 'node-state',
          node: 'i-node-1',
          from: 'pending',
          state: 'flying',
        }),
        'state: expected one of pending, draining,',
      ],
      [
        JSON.stringify({
          seq: 2,
          ts: TS,
          type: 'result',
          step: 's',
          opId: 'o',
          op: 'set-weight',
          applied: true,
          after: { serverId: 'i-node-1' },
        }),
        'an applied set-weight result without after.weight (a number)',
      ],
    ]) {
      // With its newline it is a whole write; without one it is whole JSON, never a torn prefix.
      for (const text of [`${planLine}\n${last}\n`, `${planLine}\n${last}`]) {
        expect(() => parseJournal(text, 'j.jsonl')).toThrow(JournalCorruptError);
        expect(() => parseJournal(text, 'j.jsonl')).toThrow(problem);
      }
    }
  });

  it('refuses a journal that does not start with its plan', () => {
    expect(() => parseJournal(`${note(1)}\n`, 'j.jsonl')).toThrow(
      'j.jsonl: line 1 is not a journal entry: a journal starts with its plan, found a note entry',
    );
  });

  it('refuses journals run together: a seq out of order or repeated, a second plan', () => {
    const done = JSON.stringify({
      seq: 3,
      ts: TS,
      type: 'done',
      outcome: 'completed',
      summary: 's',
    });
    const one = `${planLine}\n${note(2)}\n${done}\n`;
    for (const [text, problem] of <Array<[string, string]>>[
      // `cat J J`: the second copy starts again at seq 1, with its plan.
      [`${one}${one}`, 'line 4 is not a journal entry: a journal has one plan, on its first line'],
      // Another run's plan appended after `done`, renumbered to follow on.
      [
        `${one}${planLine.replace('"seq":1', '"seq":4')}\n`,
        'line 4 is not a journal entry: a journal has one plan',
      ],
      [
        `${planLine}\n${note(3)}\n`,
        'line 2 is not a journal entry: seq: expected 2 (after seq 1), found 3',
      ],
      [`${planLine}\n${note(2)}\n${note(2)}\n`, 'line 3 is not a journal entry: seq: expected 3'],
      [
        `${planLine.replace('"seq":1', '"seq":7')}\n`,
        'line 1 is not a journal entry: seq: expected 1 (the first entry), found 7',
      ],
    ]) {
      expect(() => parseJournal(text, 'j.jsonl')).toThrow(JournalCorruptError);
      expect(() => parseJournal(text, 'j.jsonl')).toThrow(`j.jsonl: ${problem}`);
    }
    expect(parseJournal(one, 'j').entries.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('still reads every entry a run writes, and tolerates a torn tail of invalid JSON', async () => {
    const world = new InMemoryWorld(fleet(2));
    await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    const text = world.journalLines.map((l) => `${l}\n`).join('');
    const { entries } = parseJournal(`${text}{"seq":9999,"ts":"2026-11-2`, 'j');
    expect(entries).toHaveLength(world.journalLines.length);
    expect(foldJournal(entries).outcome).toBe('completed');
  });

  it('redacts secrets, keeps plan keys that only look secret, and flags a masked plan', async () => {
    registerSecret('hunter2-very-secret');
    const store = new FileJournalStore(join(dir, 'j.jsonl'));
    const journal = await Journal.open(store, new ManualClock());
    const p = plan();
    const patch = p.steps.find((s) => s.action === 'node.patch');
    if (patch?.action !== 'node.patch') throw new Error('no patch step');
    patch.params.commands = ['curl -H "X-Token: hunter2-very-secret" https://repo/internal'];
    patch.params.host = {
      kind: 'ssh',
      address: '10.0.0.1',
      port: 22,
      username: 'ops',
      privateKeyPath: '/home/ops/.ssh/id_ed25519',
    };
    await journal.append(planEntry(p));
    await journal.append({
      type: 'result',
      step: patch.id,
      opId: `${patch.id}#cmd1`,
      op: 'run-command',
      applied: true,
      after: { output: 'token=hunter2-very-secret ok', password: 'p4ss' },
    });
    await journal.close();
    const text = await readFile(join(dir, 'j.jsonl'), 'utf8');
    expect(text).not.toContain('hunter2-very-secret');
    expect(text).not.toContain('p4ss');
    expect(text).toContain('/home/ops/.ssh/id_ed25519');
    const entries = await store.read();
    expect(entries[0]?.type === 'plan' && entries[0].redacted).toBe(true);
    expect(foldJournal(entries).planRedacted).toBe(true);
  });

  it('keeps a plan with nothing to mask as given: the journal and the run hold one plan', async () => {
    const journal = await Journal.open(
      new FileJournalStore(join(dir, 'one.jsonl')),
      new ManualClock(),
    );
    const p = plan();
    const written = await journal.append(planEntry(p));
    await journal.close();
    expect(written.type === 'plan' && written.plan).toBe(p);
    expect(written.type === 'plan' && written.redacted).toBe(false);
  });

  it('masks a secret in command output before cutting the output to its tail', async () => {
    // 3994 letters after the secret: a tail of the last 4000 characters starts inside it.
    registerSecret('Hunter2-x9');
    const faults = noFaults();
    faults.patchFails.add('i-node-1');
    faults.patchFailureOutput = `Hunter2-x9${'a'.repeat(3994)}\n`;
    const world = new InMemoryWorld(fleet(2), faults);
    await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    const text = world.journalLines.join('\n');
    expect(text).toContain('aaaa');
    for (const part of ['Hunter2', 'r2-x9', '2-x9', '-x9']) expect(text).not.toContain(part);
    expect(text).toMatch(/"output":"…[^"]*\]a{3994}\\n"/);
  });

  it('masks a short secret in commands and output, never in the ids and states it reads back', async () => {
    // `node` is a plain word: it is masked in text, not in `i-node-1` or `s004-node.drain-…`.
    registerSecret('q7z');
    registerSecret('node');
    const path = join(dir, 'short.jsonl');
    const journal = await Journal.open(new FileJournalStore(path), new ManualClock());
    const p = plan();
    const patch = p.steps.find((s) => s.action === 'node.patch');
    if (patch?.action !== 'node.patch' || patch.node === undefined) throw new Error('no patch');
    patch.params.commands = ['echo q7z | grep -q node'];
    await journal.append(planEntry(p));
    await journal.append({
      type: 'node-state',
      node: patch.node,
      from: 'pending',
      state: 'draining',
    });
    await journal.append({
      type: 'result',
      step: patch.id,
      opId: `${patch.id}#cmd1`,
      op: 'run-command',
      node: patch.node,
      applied: true,
      after: { status: 'Success', exitCode: 0, output: 'q7z node ok' },
    });
    await journal.close();
    const text = await readFile(path, 'utf8');
    expect(text).not.toMatch(/(?<![\w])q7z(?![\w])/);
    expect(text).toContain('echo [REDACTED] | grep -q [REDACTED]');
    expect(text).toContain('"output":"[REDACTED] [REDACTED] ok"');
    const entries = await new FileJournalStore(path).read();
    const journaled = entries[0]?.type === 'plan' ? entries[0].plan : undefined;
    expect(journaled?.nodes.map((n) => n.id)).toEqual(p.nodes.map((n) => n.id));
    expect(journaled?.steps.map((s) => s.id)).toEqual(p.steps.map((s) => s.id));
    const state = foldJournal(entries);
    expect(state.planRedacted).toBe(true);
    expect(state.nodes.get(patch.node)?.state).toBe('draining');
    expect(state.completedOps.has(`${patch.id}#cmd1`)).toBe(true);
  });

  it('fails every later append once a write failed: nothing is changed without its intent', async () => {
    let calls = 0;
    const failing = {
      describe: () => 'a full disk',
      read: async () => [],
      close: async () => {},
      append: async () => {
        calls += 1;
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
    };
    const journal = await Journal.open(failing, new ManualClock());
    await expect(journal.append({ type: 'note', message: 'one' })).rejects.toMatchObject({
      code: 'JOURNAL_WRITE_FAILED',
    });
    await expect(journal.append({ type: 'note', message: 'two' })).rejects.toMatchObject({
      code: 'JOURNAL_WRITE_FAILED',
    });
    expect(calls).toBe(1);
  });
});
