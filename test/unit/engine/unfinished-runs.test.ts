/**
 * A new run on a balancer whose last run halted (or was interrupted) is refused, naming that
 * run, its state, the nodes it left out and `drainctl resume <id>`; `newRun` starts anyway and
 * journals that it did. Journals on disk in a temporary DRAINCTL_HOME.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileJournalStore } from '#src/engine/journal/store.js';
import { journalPath } from '#src/engine/lifecycle/run-dir.js';
import { startRun } from '#src/engine/lifecycle/runner.js';
import { findUnfinishedRun } from '#src/engine/lifecycle/unfinished-runs.js';
import { lockPath } from '#src/engine/lock/balancer-lock.js';
import { formatReport } from '#src/engine/reporting/report.js';
import { readRunStatus } from '#src/engine/reporting/run-status.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { silent } from '#support/in-memory-runs.js';
import { Incarnation, InMemoryWorld, noFaults } from '#support/in-memory-world.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-unfinished-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function options(world: InMemoryWorld, runId: string) {
  return {
    home,
    runId,
    ports: world.ports(new Incarnation()),
    logger: silent,
    abortPollMs: 3_600_000,
  };
}

describe('a new run while the last run on the balancer did not complete', () => {
  it('is refused after a halt, naming the run, its state, the node left out and how to continue', async () => {
    const faults = noFaults();
    faults.patchFails.add('i-node-1');
    const world = new InMemoryWorld(fleet(3), faults);
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const first = await startRun(plan, options(world, 'r-1'));
    expect(first.outcome).toBe('halted');
    const weights = [...world.weightEvents];

    const again = startRun(plan, options(world, 'r-2'));
    await expect(again).rejects.toMatchObject({
      code: 'UNFINISHED_RUN',
      exitCode: 3,
      message: expect.stringContaining(
        'run r-1 (model-patch) on the same balancer is halted; out of service: web-1 (i-node-1, left out, unpatched)',
      ),
      hint: expect.stringContaining('`drainctl resume r-1`'),
    });
    // Nothing changed, and no journal was started for the refused run.
    expect(world.weightEvents).toEqual(weights);
    expect(await new FileJournalStore(journalPath(home, 'r-2')).read()).toEqual([]);
  });

  it('is found for a fleet plan that touches the halted run’s balancer among others', async () => {
    const faults = noFaults();
    faults.patchFails.add('i-node-1');
    const world = new InMemoryWorld(fleet(3), faults);
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    expect((await startRun(plan, options(world, 'r-1'))).outcome).toBe('halted');
    if (plan.loadBalancer.create) throw new Error('the model plan names its balancer');
    const shared = plan.loadBalancer.id;
    // A fleet plan whose own (first) balancer is another one, with the halted run's among its balancers.
    const fleetPlan = {
      ...plan,
      loadBalancer: { id: 'lb-aaa', name: 'other', create: false as const },
      balancers: [
        { id: 'lb-aaa', name: 'other' },
        { id: shared, name: plan.loadBalancer.name },
      ],
    };
    expect((await findUnfinishedRun(home, fleetPlan))?.runId).toBe('r-1');
  });

  it('names a server found at weight 0 that the halted run did not reach: it is out of service too', async () => {
    const faults = noFaults();
    faults.patchFails.add('i-node-1');
    const world = new InMemoryWorld(fleet(3, [100, 0, 100]), faults);
    world.tags.set('drainctl-weight-i-node-2', '100;run=r-0');
    const plan = buildPlan(world, {
      minHealthy: 1,
      maxUnavailable: 1,
      atZero: {
        'i-node-2': {
          action: 'restore',
          weight: 100,
          from: 'saved',
          saved: { weight: 100, runId: 'r-0' },
        },
      },
    });
    // status takes only ids as newRunId makes them (checkRunId).
    const halted = 'r-20261121-020000-0001';
    const first = await startRun(plan, options(world, halted));
    expect(first.outcome).toBe('halted');
    expect(first.report.nodes[1]).toMatchObject({ id: 'i-node-2', state: 'pending' });
    expect(first.report.summary).toContain(
      '; still at weight 0 as found, not reached: web-2 (i-node-2)',
    );
    expect(first.report.stillAtZero).toEqual([
      {
        id: 'i-node-2',
        name: 'web-2',
        detail:
          'found at weight 0, not reached by this run: still out of service (it comes back to 100 through its full maintenance)',
      },
    ]);
    const status = await readRunStatus(home, halted);
    expect(formatReport(status.report).join('\n')).toContain(
      '  STILL AT WEIGHT 0 (found there, not reached; `drainctl resume` carries them through):\n    web-2 (i-node-2): found at weight 0, not reached by this run',
    );
    await expect(startRun(plan, options(world, 'r-20261121-020100-0002'))).rejects.toMatchObject({
      code: 'UNFINISHED_RUN',
      message: expect.stringContaining(
        'out of service: web-1 (i-node-1, left out, unpatched), web-2 (i-node-2, found at weight 0, not reached)',
      ),
    });
  });

  it('is refused after an interruption, naming the node it left mid-way', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    await startRun(plan, options(world, 'r-1'));
    // As if the process had died right after web-1's drain was confirmed.
    const path = journalPath(home, 'r-1');
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    const drained = lines.findIndex((l) => l.includes('"type":"step","step":"s003-node.drain'));
    expect(drained).toBeGreaterThan(0);
    await writeFile(path, `${lines.slice(0, drained + 1).join('\n')}\n`);
    await expect(startRun(plan, options(world, 'r-2'))).rejects.toMatchObject({
      code: 'UNFINISHED_RUN',
      message: expect.stringContaining(
        'is interrupted; out of service: web-1 (i-node-1, draining, weight 0)',
      ),
    });
    // While a live process holds it, it is running, not unfinished (the lock answers a new run).
    await mkdir(join(home, 'locks'), { recursive: true });
    const now = new Date().toISOString();
    await writeFile(
      lockPath(home, 'lb-model'),
      JSON.stringify({
        key: 'lb-model',
        runId: 'r-1',
        pid: process.pid,
        host: hostname(),
        acquiredAt: now,
        heartbeatAt: now,
      }),
    );
    expect(await findUnfinishedRun(home, plan)).toBeUndefined();
  });

  it('starts with newRun: the old run stays as it is, the new one journals that it set it aside', async () => {
    const faults = noFaults();
    faults.patchFails.add('i-node-1');
    const world = new InMemoryWorld(fleet(3), faults);
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    await startRun(plan, options(world, 'r-1'));
    const before = await new FileJournalStore(journalPath(home, 'r-1')).read();

    faults.patchFails.clear();
    const second = await startRun(plan, { ...options(world, 'r-2'), newRun: true });
    expect(second.runId).toBe('r-2');
    const notes = (await new FileJournalStore(journalPath(home, 'r-2')).read()).filter(
      (e) => e.type === 'note',
    );
    expect(notes[0]).toMatchObject({
      seq: 2,
      message: expect.stringContaining(
        'started with --new-run: run r-1 (model-patch) on the same balancer is halted',
      ),
    });
    expect(await new FileJournalStore(journalPath(home, 'r-1')).read()).toEqual(before);
    // `drainctl status` of the new run still points at the old one.
    const status = await readRunStatus(home);
    expect(status.runId).toBe('r-2');
    expect(status.otherUnfinished).toMatchObject({
      runId: 'r-1',
      state: 'halted',
      nodesOut: [{ id: 'i-node-1', name: 'web-1', why: 'left out, unpatched' }],
    });
  });

  it('is refused while the latest run cannot be read: an older completed run is not taken for it', async () => {
    // An older run on the same balancer (lb-model) that completed, then one that halted.
    const earlier = new InMemoryWorld(fleet(3));
    const earlierPlan = buildPlan(earlier, { minHealthy: 1, maxUnavailable: 1 });
    expect((await startRun(earlierPlan, options(earlier, 'r-1'))).outcome).toBe('completed');
    const faults = noFaults();
    faults.bootFails.add('i-node-3');
    const world = new InMemoryWorld(fleet(3), faults);
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    expect((await startRun(plan, options(world, 'r-2'))).outcome).toBe('halted');
    expect(world.backends.get('i-node-3')).toBe(0);
    // One line of the halted run altered: the strict parser rejects the journal.
    const path = journalPath(home, 'r-2');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/"passed":true/, '"passed":"yes"'));
    expect(await readFile(path, 'utf8')).not.toBe(text);
    const weights = [...world.weightEvents];

    await expect(startRun(plan, options(world, 'r-3'))).rejects.toMatchObject({
      code: 'UNREADABLE_RUN',
      exitCode: 3,
      message: expect.stringMatching(
        new RegExp(
          `^run r-2's journal cannot be read \\(JOURNAL_CORRUPT: ${path}: line \\d+ is not a journal entry: passed: expected true or false, found "yes"\\), so whether it is the latest run on this balancer and left nodes out of service is unknown`,
        ),
      ),
      hint: expect.stringContaining('--new-run'),
    });
    expect(world.weightEvents).toEqual(weights);
    expect(await new FileJournalStore(journalPath(home, 'r-3')).read()).toEqual([]);

    // Deliberately: the new run starts and journals what it set aside.
    faults.bootFails.clear();
    const forced = await startRun(plan, { ...options(world, 'r-4'), newRun: true });
    const notes = (await new FileJournalStore(journalPath(home, 'r-4')).read()).filter(
      (e) => e.type === 'note',
    );
    expect(forced.runId).toBe('r-4');
    expect(notes[0]).toMatchObject({
      message: expect.stringContaining("started with --new-run: run r-2's journal cannot be read"),
    });
  });

  it('is not refused over an unreadable journal whose plan names another balancer', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const other = new InMemoryWorld(fleet(2), undefined, [], { loadBalancerId: 'lb-other' });
    const otherPlan = buildPlan(other, { minHealthy: 1, maxUnavailable: 1 });
    expect((await startRun(otherPlan, options(other, 'r-1'))).outcome).toBe('completed');
    const path = journalPath(home, 'r-1');
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    await writeFile(path, `${lines.slice(0, -1).join('\n')}\ngarbage\n${lines.at(-1)}\n`);
    expect((await startRun(plan, options(world, 'r-2'))).outcome).toBe('completed');
    // Its plan line damaged too it may have been on this balancer, but it is older than r-2,
    // the latest run on it, which completed.
    await writeFile(path, `garbage\n${lines.join('\n')}\n`);
    await expect(startRun(plan, options(world, 'r-3'))).resolves.toMatchObject({ runId: 'r-3' });
  });

  it('is not refused after a completed run, nor for another balancer', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    expect((await startRun(plan, options(world, 'r-1'))).outcome).toBe('completed');
    const faults = noFaults();
    faults.patchFails.add('i-node-1');
    const failing = new InMemoryWorld(fleet(2), faults, [], { loadBalancerId: 'lb-failing' });
    expect(
      (
        await startRun(
          buildPlan(failing, { minHealthy: 1, maxUnavailable: 1 }),
          options(failing, 'r-2'),
        )
      ).outcome,
    ).toBe('halted');
    // r-2 halted on lb-failing; the latest run on lb-model (r-1) completed.
    const third = await startRun(plan, options(world, 'r-3'));
    expect(third.runId).toBe('r-3');
  });
});
