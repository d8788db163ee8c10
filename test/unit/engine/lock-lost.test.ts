/**
 * Engine review: a holder whose lock was taken only *halted* and carried on (its batch, its
 * rollbacks), so two processes drove one node. Lock lost = stop touching things: the lock is
 * checked before every intent; once lost, nothing more is mutated or rolled back, the run says
 * "lock lost" and fails (exit 1). A journal another writer advanced is a lock loss too.
 */
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import { Journal } from '#src/engine/journal/journal.js';
import { FileJournalStore } from '#src/engine/journal/store.js';
import { journalPath } from '#src/engine/lifecycle/run-dir.js';
import { startRun } from '#src/engine/lifecycle/runner.js';
import { lockPath } from '#src/engine/lock/balancer-lock.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { silent } from '#support/in-memory-runs.js';
import { Incarnation, InMemoryWorld } from '#support/in-memory-world.js';
import { ManualClock } from '#support/manual-clock.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-lock-lost-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function plantLock(world: InMemoryWorld, runId: string): Promise<void> {
  const now = new Date().toISOString();
  await writeFile(
    lockPath(home, world.loadBalancerId),
    JSON.stringify({
      key: world.loadBalancerId,
      runId,
      pid: 4_194_400,
      host: 'ops-02',
      acquiredAt: now,
      heartbeatAt: now,
    }),
  );
}

/** Ports that let the test take the lock right after the first drain, and count what follows. */
function stealingPorts(
  world: InMemoryWorld,
  thief: { runId: string },
  steal: () => Promise<void> = () => plantLock(world, thief.runId),
) {
  const ports: EnginePorts = world.ports(new Incarnation());
  const after: string[] = [];
  let stolen = false;
  const lb = ports.loadBalancer;
  ports.loadBalancer = {
    ...lb,
    setBackendWeights: async (id, weights) => {
      if (stolen) after.push(`weight ${JSON.stringify(weights)}`);
      await lb.setBackendWeights(id, weights);
      if (!stolen && weights.some((w) => w.weight === 0)) {
        stolen = true;
        await steal();
      }
    },
    addBackends: async (id, b) => {
      if (stolen) after.push('add-backends');
      await lb.addBackends(id, b);
    },
  };
  const host = ports.host;
  ports.host = (target) => {
    const h = host(target);
    return {
      ...h,
      runCommand: async (id, request) => {
        if (stolen) after.push(`run-command ${id}`);
        return h.runCommand(id, request);
      },
      reboot: async (id) => {
        if (stolen) after.push(`reboot ${id}`);
        return h.reboot(id);
      },
    };
  };
  return { ports, after };
}

/** Run r-1 on the stealing ports; its journal in memory, or in the file under `home`. */
function runAs(
  runId: string,
  world: InMemoryWorld,
  ports: ReturnType<typeof stealingPorts>['ports'],
  journal: 'memory' | 'file',
) {
  return startRun(buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
    home,
    ports,
    ...(journal === 'memory' ? { store: world.journalStore(new Incarnation()) } : {}),
    logger: silent,
    abortPollMs: 3_600_000,
    heartbeatMs: 3_600_000,
    runId,
  });
}

describe('lock lost', () => {
  it('a holder whose lock was taken stops at its next intent: nothing more changed, no rollback, "lock lost", exit 1', async () => {
    const world = new InMemoryWorld(fleet(2));
    const { ports, after } = stealingPorts(world, { runId: 'r-thief' });
    const result = await runAs('r-1', world, ports, 'memory');
    expect(after).toEqual([]);
    const [first] = world.nodes;
    expect(world.backends.get(first?.id ?? '')).toBe(0); // not rolled back: the thief drives
    expect(result.outcome).toBe('failed');
    expect(result.exitCode).toBe(1);
    const lines = world.journalLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines.at(-1);
    expect(last).toMatchObject({ type: 'done', outcome: 'failed' });
    expect(String(last?.summary)).toMatch(
      /^lock lost: .*now names run r-thief \(pid 4194400 on ops-02\)/,
    );
    expect(result.report.summary).toContain('lock lost');
    // Nothing between the drain's result and the end: no intent, no halt, no rollback.
    const drained = lines.findIndex((e) => e.type === 'result' && e.op === 'set-weight');
    expect(
      lines.slice(drained + 1).filter((e) => ['intent', 'halt'].includes(String(e.type))),
    ).toEqual([]);
  });

  it("lost to a resume of this very run, it leaves the journal alone (it is the new holder's) and still reports it", async () => {
    const world = new InMemoryWorld(fleet(2));
    const { ports, after } = stealingPorts(world, { runId: 'r-1' });
    const result = await runAs('r-1', world, ports, 'memory');
    expect(after).toEqual([]);
    expect(result.exitCode).toBe(1);
    const lines = world.journalLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((e) => e.type === 'done')).toBe(false);
    expect(result.report.summary).toMatch(/^lock lost: .*not journaled/);
  });

  it('a run whose journal another writer appended to stops at its next entry: nothing more changed', async () => {
    const world = new InMemoryWorld(fleet(2));
    // The other writer numbers on from what it reads, as a second process would.
    let theirs = 0;
    const { ports, after } = stealingPorts(world, { runId: 'r-1' }, async () => {
      theirs = ((await new FileJournalStore(journalPath(home, 'r-1')).read()).at(-1)?.seq ?? 0) + 1;
      await appendFile(
        journalPath(home, 'r-1'),
        `{"seq":${theirs},"ts":"2026-11-21T02:00:00.000Z","type":"note","message":"other writer"}\n`,
      );
    });
    const result = await runAs('r-1', world, ports, 'file');
    expect(after).toEqual([]);
    expect(result.exitCode).toBe(1);
    expect(result.report.summary).toMatch(
      new RegExp(`^lock lost: .*another writer moved it to seq ${theirs};`),
    );
    expect(world.backends.get(world.nodes[0]?.id ?? '')).toBe(0);
  });

  it('a journal another writer advanced is a lock loss: this writer appends nothing more', async () => {
    const path = join(home, 'runs', 'r-1', 'journal.jsonl');
    await mkdir(join(home, 'runs', 'r-1'), { recursive: true });
    const clock = new ManualClock();
    const mine = await Journal.open(new FileJournalStore(path), clock);
    const plan = buildPlan(new InMemoryWorld(fleet(1)), { minHealthy: 0, maxUnavailable: 1 });
    // A journal starts with its plan; then each writer numbers on from what it read.
    await mine.append({
      type: 'plan',
      runId: 'r-1',
      sha256: plan.sha256,
      plan,
      redacted: false,
      pid: 1,
      host: 'h',
    });
    const theirs = await Journal.open(new FileJournalStore(path), clock);
    await theirs.append({ type: 'note', message: 'two' });
    await expect(mine.append({ type: 'note', message: 'three' })).rejects.toMatchObject({
      code: 'LOCK_LOST',
      message: expect.stringContaining(
        'another writer moved it to seq 2; this process last wrote or read seq 1',
      ),
    });
    // Once lost, always lost; and the other writer carries on with its own sequence.
    await expect(mine.append({ type: 'note', message: 'four' })).rejects.toMatchObject({
      code: 'LOCK_LOST',
    });
    expect((await theirs.append({ type: 'note', message: 'five' })).seq).toBe(3);
    const seqs = (await new FileJournalStore(path).read()).map((e) => e.seq);
    expect(seqs).toEqual([1, 2, 3]);
    await mine.close();
    await theirs.close();
  });
});
