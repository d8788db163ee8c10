/**
 * What `drainctl status` prints for a run that did not complete: the nodes out of service and
 * the command that continues it (`drainctl resume <id>`); a completed run prints neither.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '#src/engine/journal/entries.js';
import { foldJournal } from '#src/engine/journal/run-state.js';
import { journalPath } from '#src/engine/lifecycle/run-dir.js';
import { lockPath } from '#src/engine/lock/balancer-lock.js';
import { buildReport, formatReport } from '#src/engine/reporting/report.js';
import { readRunStatus } from '#src/engine/reporting/run-status.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, noFaults } from '#support/in-memory-world.js';
import { ManualClock } from '#support/manual-clock.js';

/** The status of the model's run as `drainctl status` builds it from the journal (no live holder). */
function statusLines(world: InMemoryWorld): string[] {
  const entries = world.journalLines.map((l) => JSON.parse(l) as JournalEntry);
  return formatReport(buildReport(foldJournal(entries), false));
}

const PLAN_EXTRA = { redacted: false, pid: 1, host: 'h' };

describe('status of a run', () => {
  it('halted with a node left out: names it and says how to continue', async () => {
    const faults = noFaults();
    faults.bootFails.add('i-node-2');
    const world = new InMemoryWorld(fleet(3), faults);
    await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    const text = statusLines(world).join('\n');
    expect(text).toContain('run r-model (model-patch): halted');
    expect(text).toMatch(
      /LEFT OUT OF SERVICE \(needs a person\):\n {4}web-2 \(i-node-2\): unreachable/,
    );
    expect(text).toContain('`drainctl resume r-model`');
    expect(text).toContain('`drainctl resume r-model --retry <instanceId>`');
  });

  it('interrupted with a node drained: lists it as not finished and says how to continue', async () => {
    const probe = new InMemoryWorld(fleet(2));
    await runModel(probe, buildPlan(probe, { minHealthy: 1, maxUnavailable: 1 }));
    const drained = probe.journalLines
      .map((l) => JSON.parse(l) as JournalEntry)
      .find((e) => e.type === 'node-state' && e.state === 'drained')?.seq;
    const world = new InMemoryWorld(fleet(2));
    const first = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      crashAfterSeq: drained,
    });
    expect(first).toBe('crashed');
    const lines = statusLines(world);
    const text = lines.join('\n');
    // How long it ran is what its journal spans, first entry to last: never a bare "0s".
    expect(lines[0]).toMatch(
      /^run r-model \(model-patch\): interrupted after \d+(\.\d)?s \(journal 02:00:00 → 02:00:\d\d\)$/,
    );
    expect(lines[1]).toBe(
      '  interrupted: no process finished this run; `drainctl resume r-model` continues it',
    );
    expect(text).toMatch(
      /NOT FINISHED \(may be out of service\):\n {4}web-1 \(i-node-1\): drained, weight 0/,
    );
    expect(text).toContain('`drainctl resume r-model`');
  });

  it('interrupted as it started (nothing journaled after its plan): says so, not "0s"', async () => {
    const world = new InMemoryWorld(fleet(2));
    const first = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      crashAfterSeq: 1,
    });
    expect(first).toBe('crashed');
    const lines = statusLines(world);
    expect(lines[0]).toBe(
      'run r-model (model-patch): interrupted as it started (journal 02:00:00: nothing after its plan)',
    );
    expect(lines.join('\n')).toContain('`drainctl resume r-model`');
  });

  it('completed: no resume hint, nothing out of service', async () => {
    const world = new InMemoryWorld(fleet(2));
    await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    const text = statusLines(world).join('\n');
    expect(text).toContain('run r-model (model-patch): completed');
    expect(text).not.toContain('drainctl resume');
    expect(text).not.toContain('LEFT OUT');
    expect(text).not.toContain('NOT FINISHED');
  });

  it('running: how long since its start, not its journal span, and when its last entry was', async () => {
    const home = await mkdtemp(join(tmpdir(), 'drainctl-status-running-'));
    try {
      const runId = 'r-20261121-020000-1a2b';
      const plan = buildPlan(new InMemoryWorld(fleet(2)), { minHealthy: 1, maxUnavailable: 1 });
      const lines = [
        { seq: 1, ts: '2026-11-21T02:00:00.000Z', type: 'plan', runId, sha256: plan.sha256, plan },
        { seq: 2, ts: '2026-11-21T02:00:07.000Z', type: 'note', message: 'waiting for the drain' },
      ].map((e) => JSON.stringify({ ...e, ...(e.type === 'plan' ? PLAN_EXTRA : {}) }));
      await mkdir(join(home, 'runs', runId), { recursive: true });
      await writeFile(journalPath(home, runId), `${lines.join('\n')}\n`);
      // This process holds the run's lock: a live holder, so the run is running.
      await mkdir(join(home, 'locks'), { recursive: true });
      const heartbeat = '2026-11-21T02:00:20.000Z';
      await writeFile(
        lockPath(home, 'lb-model'),
        JSON.stringify({
          key: 'lb-model',
          runId,
          pid: process.pid,
          host: hostname(),
          acquiredAt: '2026-11-21T02:00:00.000Z',
          heartbeatAt: heartbeat,
        }),
      );
      const clock = new ManualClock(Date.parse('2026-11-21T02:00:23Z'));
      const status = await readRunStatus(home, runId, clock);
      expect(status.running).toBe(true);
      expect(status.report.durationSeconds).toBe(23);
      expect(formatReport(status.report)[0]).toBe(
        `run ${runId} (model-patch): running, 23s (last entry at 02:00:07)`,
      );
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
