/** The runner around the executor: locks, plan integrity, resuming halted and finished runs. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DRAINCTL_VERSION } from '#src/config/index.js';
import { resumeRun, startRun } from '#src/engine/lifecycle/runner.js';
import { lockPath } from '#src/engine/lock/balancer-lock.js';
import { formatReport } from '#src/engine/reporting/report.js';
import { sha256Hex } from '#src/engine/sha256.js';
import { registerSecret } from '#src/log/index.js';
import { hashPlan } from '#src/plan/plan-hash.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { silent } from '#support/in-memory-runs.js';
import { Incarnation, InMemoryWorld, noFaults } from '#support/in-memory-world.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-runner-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function options(world: InMemoryWorld) {
  const incarnation = new Incarnation();
  return {
    home,
    ports: world.ports(incarnation),
    store: world.journalStore(incarnation),
    logger: silent,
    abortPollMs: 3_600_000,
  };
}

async function plantLock(runId: string, pid: number) {
  await mkdir(join(home, 'locks'), { recursive: true });
  const now = new Date().toISOString();
  await writeFile(
    lockPath(home, 'lb-model'),
    JSON.stringify({
      key: 'lb-model',
      runId,
      pid,
      host: hostname(),
      acquiredAt: now,
      heartbeatAt: now,
    }),
  );
}

describe('runner', () => {
  it('refuses a second run on a locked balancer before writing or changing anything', async () => {
    const world = new InMemoryWorld(fleet(2));
    await plantLock('r-other', process.pid);
    await expect(
      startRun(buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), options(world)),
    ).rejects.toMatchObject({
      code: 'LOCK_HELD',
      message: expect.stringContaining('is held by run r-other'),
    });
    expect(world.journalLines).toEqual([]);
    expect(world.weightEvents).toEqual([]);
  });

  it('refuses a plan edited after it was hashed', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const drain = plan.steps.find((s) => s.action === 'node.drain');
    if (drain?.action === 'node.drain') drain.params.serverId = 'i-someone-else';
    await expect(startRun(plan, options(world))).rejects.toMatchObject({ code: 'PLAN_ALTERED' });
    expect(world.weightEvents).toEqual([]);
  });

  it('releases the lock at the end, and a finished run is not resumed', async () => {
    const world = new InMemoryWorld(fleet(2));
    const result = await startRun(buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      ...options(world),
      runId: 'r-1',
    });
    expect(result.outcome).toBe('completed');
    await expect(resumeRun('r-1', options(world))).rejects.toMatchObject({ code: 'RUN_FINISHED' });
    // The balancer is free again.
    world.journalLines.length = 0; // the model keeps one journal: start the next run's afresh
    const again = await startRun(buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      ...options(world),
      runId: 'r-2',
    });
    // It got the lock and ran (verify then finds the kernel already new: `changed` fails, as it should).
    expect(again.runId).toBe('r-2');
    expect(again.report.leftOut.map((n) => n.reason)).toEqual(['unpatched']);
  });

  it('journals who asked and who approved with the plan, and status names both', async () => {
    const world = new InMemoryWorld(fleet(2));
    const result = await startRun(buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      ...options(world),
      runId: 'r-1',
      by: 'chat:slack:U1 (channel C1)',
      approvedBy: 'chat:slack:U2 (channel C1)',
    });
    const plan = JSON.parse(world.journalLines[0] ?? '{}');
    expect(plan).toMatchObject({
      type: 'plan',
      startedBy: 'chat:slack:U1 (channel C1)',
      approvedBy: 'chat:slack:U2 (channel C1)',
    });
    expect(result.report.approvedBy).toBe('chat:slack:U2 (channel C1)');
    expect(formatReport(result.report)[0]).toContain(
      'started by chat:slack:U1 (channel C1), approved by chat:slack:U2 (channel C1)',
    );
  });

  it('resume is refused while the run is still held by a live process', async () => {
    const world = new InMemoryWorld(fleet(2));
    await startRun(buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      ...options(world),
      runId: 'r-1',
      locking: false,
    }).catch(() => undefined);
    world.journalLines.splice(5); // as if it were still in the middle
    await plantLock('r-1', process.pid);
    await expect(resumeRun('r-1', options(world))).rejects.toMatchObject({ code: 'LOCK_HELD' });
  });

  it('a plan whose journaled form had a secret masked is rebuilt, and checked, before a resume', async () => {
    registerSecret('s3cr3t-repo-token');
    const world = new InMemoryWorld(fleet(2));
    const body = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const patch = body.steps.find((s) => s.action === 'node.patch');
    if (patch?.action !== 'node.patch') throw new Error('no patch step');
    patch.params.commands = ['yum --setopt=token=s3cr3t-repo-token update kernel -y'];
    const { sha256: _old, ...unhashed } = body;
    const plan = { ...unhashed, sha256: hashPlan(unhashed, sha256Hex) };
    const dying = new Incarnation();
    await expect(
      startRun(plan, {
        ...options(world),
        runId: 'r-1',
        ports: world.ports(dying),
        store: world.journalStore(dying, 20),
      }),
    ).rejects.toThrow();
    // The "crashed" run's balancer tag names this (live) test process; a real crash's pid is dead.
    world.tags.clear();
    expect(world.journalLines.join('\n')).not.toContain('s3cr3t-repo-token');
    await expect(resumeRun('r-1', options(world))).rejects.toMatchObject({ code: 'PLAN_REDACTED' });
    await expect(
      resumeRun('r-1', {
        ...options(world),
        recoverPlan: async () => ({ ...plan, sha256: 'f'.repeat(64) }),
      }),
    ).rejects.toMatchObject({ code: 'PLAN_CHANGED' });
    const resumed = await resumeRun('r-1', { ...options(world), recoverPlan: async () => plan });
    expect(resumed.outcome).toBe('completed');
  });

  it('a plan that no longer matches after an upgrade names the version that started the run', async () => {
    registerSecret('s3cr3t-repo-token');
    const world = new InMemoryWorld(fleet(2));
    const body = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const patch = body.steps.find((s) => s.action === 'node.patch');
    if (patch?.action !== 'node.patch') throw new Error('no patch step');
    patch.params.commands = ['yum --setopt=token=s3cr3t-repo-token update kernel -y'];
    const { sha256: _old, ...unhashed } = body;
    const plan = { ...unhashed, sha256: hashPlan(unhashed, sha256Hex) };
    const dying = new Incarnation();
    await expect(
      startRun(plan, {
        ...options(world),
        runId: 'r-1',
        ports: world.ports(dying),
        store: world.journalStore(dying, 20),
      }),
    ).rejects.toThrow();
    world.tags.clear();
    const first = JSON.parse(world.journalLines[0] ?? '{}');
    // This version journals itself beside the plan, not in it (the plan's hash stays the same).
    expect(first.drainctlVersion).toBe(DRAINCTL_VERSION);
    expect(first.plan.drainctlVersion).toBeUndefined();
    // The planner of this version rebuilds another plan than the one the run started with.
    const rebuilt = async () => ({ ...plan, sha256: 'f'.repeat(64) });
    const resumeStartedBy = (version: string | undefined) => {
      const { drainctlVersion: _mine, ...entry } = first;
      world.journalLines[0] = JSON.stringify(
        version === undefined ? entry : { ...entry, drainctlVersion: version },
      );
      return resumeRun('r-1', { ...options(world), recoverPlan: rebuilt });
    };
    await expect(resumeStartedBy('0.0.9')).rejects.toMatchObject({
      code: 'PLAN_CHANGED',
      message: `the rebuilt plan differs from run r-1's (sha256): run r-1 was started by drainctl 0.0.9, and this is drainctl ${DRAINCTL_VERSION}, whose planner may make another plan from the same workflow`,
      hint: expect.stringMatching(/^finish it with drainctl 0\.0\.9 \(its `drainctl resume r-1`/),
    });
    // A journal from before the version was kept (the field is optional): an earlier drainctl.
    await expect(resumeStartedBy(undefined)).rejects.toMatchObject({
      code: 'PLAN_CHANGED',
      message: expect.stringContaining(
        'run r-1 was started by an earlier drainctl (its journal names no version)',
      ),
    });
    // The same version: then it is the workflow or its environment that changed.
    await expect(resumeStartedBy(DRAINCTL_VERSION)).rejects.toMatchObject({
      code: 'PLAN_CHANGED',
      message: "the rebuilt plan differs from run r-1's (sha256)",
      hint: expect.stringContaining('the workflow or its environment changed'),
    });
  });

  it('a run halted by a failed node continues on resume with the others; the failed one stays reported', async () => {
    const faults = noFaults();
    faults.patchFails.add('i-node-1');
    const world = new InMemoryWorld(fleet(3), faults);
    // Room for the left-out node plus one more: the gates let the others through.
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 2 });
    const first = await startRun(plan, { ...options(world), runId: 'r-1' });
    expect(first.report.nodes.map((n) => n.state)).toEqual(['left-out', 'pending', 'pending']);
    const second = await resumeRun('r-1', options(world));
    expect(second.report.nodes.map((n) => n.state)).toEqual(['left-out', 'done', 'done']);
    expect(second.outcome).toBe('halted'); // web-1 still needs a person
    expect(second.report.leftOut.map((n) => n.id)).toEqual(['i-node-1']);
  });

  it('a halted run continues on resume once the cause is fixed (a blocked gate is tried again)', async () => {
    const faults = noFaults();
    faults.lbAbnormal.add('i-node-1');
    const world = new InMemoryWorld(fleet(3), faults);
    // web-1 is unhealthy: taking web-2 out would leave 1 healthy backend, 2 are required.
    const plan = buildPlan(world, {
      minHealthy: 2,
      maxUnavailable: 1,
      batches: [['i-node-2'], ['i-node-3']],
    });
    const first = await startRun(plan, { ...options(world), runId: 'r-1' });
    expect(first.outcome).toBe('halted');
    expect(first.report.haltReason).toContain(
      'gate blocked: 1 healthy weighted backend(s) would remain without i-node-2, at least 2 required',
    );
    expect(world.weightEvents).toEqual([]);

    faults.lbAbnormal.clear(); // someone fixed web-1
    const second = await resumeRun('r-1', options(world));
    expect(second.outcome).toBe('completed');
    expect(second.report.nodes.map((n) => [n.id, n.state])).toEqual([
      ['i-node-1', 'pending'],
      ['i-node-2', 'done'],
      ['i-node-3', 'done'],
    ]);
  });
});
