/**
 * `resume --retry <instanceId>`: a node that ended rolled back or left out is, once its cause is
 * fixed, re-observed live (weight, health) and carried through its whole sequence again.
 * Without the flag it stays as reported.
 */
import { describe, expect, it } from 'vitest';
import { resumeRun } from '#src/engine/lifecycle/runner.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { resumeModel, runModel, silent } from '#support/in-memory-runs.js';
import { Incarnation, InMemoryWorld, noFaults } from '#support/in-memory-world.js';

const OLD = '3.10.0-1160.el7.x86_64';

function resumeRetrying(world: InMemoryWorld, retry: string[]) {
  const incarnation = new Incarnation();
  return resumeRun('r-model', {
    home: '/nonexistent/drainctl-model-home',
    ports: world.ports(incarnation),
    store: world.journalStore(incarnation),
    locking: false,
    logger: silent,
    abortPollMs: 3_600_000,
    retry,
  });
}

function entries(world: InMemoryWorld): Array<Record<string, unknown>> {
  return world.journalLines.map((l) => JSON.parse(l));
}

describe('resume --retry', () => {
  it('carries a node left out (patch failed) through its full sequence once the cause is fixed', async () => {
    const faults = noFaults();
    faults.patchFails.add('i-node-1');
    const world = new InMemoryWorld(fleet(3), faults);
    // Room for the left-out node plus one more: the others go on without it.
    const first = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 2 }));
    if (first === 'crashed') throw new Error('crashed');
    expect(first.report.leftOut.map((n) => [n.id, n.reason])).toEqual([['i-node-1', 'unpatched']]);

    // Without --retry it stays as reported.
    const plain = await resumeModel(world);
    if (plain === 'crashed') throw new Error('crashed');
    expect(plain.report.nodes.map((n) => n.state)).toEqual(['left-out', 'done', 'done']);
    expect(world.hosts.get('i-node-1')?.rebooted).toBe(false);

    faults.patchFails.clear(); // the operator fixed the repository
    const retried = await resumeRetrying(world, ['i-node-1']);
    expect(retried.outcome).toBe('completed');
    expect(retried.report.nodes.map((n) => n.state)).toEqual(['done', 'done', 'done']);
    expect(retried.report.leftOut).toEqual([]);
    expect(world.endState().kernels['i-node-1']).not.toBe(OLD);
    expect(world.backends.get('i-node-1')).toBe(100); // the weight recorded before its first drain
    // It was re-observed live before anything was done, and the gate was asked again.
    const log = entries(world);
    const retry = log.findIndex((e) => e.type === 'retry');
    expect(log[retry]).toMatchObject({
      node: 'i-node-1',
      from: 'left-out',
      weight: 0,
      health: expect.any(String),
    });
    const after = log.slice(retry);
    const firstMutation = after.find((e) => e.type === 'intent');
    expect(firstMutation).toMatchObject({ op: 'set-weight', node: 'i-node-1', to: { weight: 0 } });
    expect(after.some((e) => e.type === 'gate' && e.node === 'i-node-1')).toBe(true);
    expect(after.some((e) => e.type === 'intent' && e.op === 'reboot')).toBe(true);
  });

  it('a node rolled back after a drain timeout, put back at another weight by hand: retried from there', async () => {
    const faults = noFaults();
    faults.neverQuiet.add('i-node-2');
    const world = new InMemoryWorld(fleet(3), faults);
    const first = await runModel(
      world,
      buildPlan(world, { minHealthy: 1, maxUnavailable: 1, drainProbe: 'access-log' }),
    );
    if (first === 'crashed') throw new Error('crashed');
    expect(first.report.nodes.map((n) => n.state)).toEqual(['done', 'rolled-back', 'pending']);

    faults.neverQuiet.clear();
    world.backends.set('i-node-2', 50); // someone lowered it meanwhile
    const retried = await resumeRetrying(world, ['i-node-2']);
    expect(retried.report.nodes.map((n) => n.state)).toEqual(['done', 'done', 'done']);
    expect(entries(world).find((e) => e.type === 'retry')).toMatchObject({
      node: 'i-node-2',
      from: 'rolled-back',
      weight: 50,
    });
    // It goes back to the weight it was found at, not the one of the first attempt.
    expect(world.backends.get('i-node-2')).toBe(50);
    expect(retried.report.nodes[1]).toMatchObject({ weightBefore: 50, weightAfter: 50 });
  });

  it('a node left out unhealthy after its patch: the retry compares with the first baseline and completes', async () => {
    const faults = noFaults();
    faults.unhealthyAfterBoot.add('i-node-1');
    const world = new InMemoryWorld(fleet(3), faults);
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 2 });
    const first = await runModel(world, plan);
    if (first === 'crashed') throw new Error('crashed');
    expect(first.report.leftOut.map((n) => [n.id, n.reason])).toEqual([['i-node-1', 'unhealthy']]);
    const patched = world.endState().kernels['i-node-1'];
    expect(patched).not.toBe(OLD);

    faults.unhealthyAfterBoot.clear();
    const retried = await resumeRetrying(world, ['i-node-1']);
    expect(retried.report.nodes.map((n) => n.state)).toEqual(['done', 'done', 'done']);
    // `changed` is judged against the kernel found before the first attempt, not the patched one.
    expect(retried.report.nodes[0]).toMatchObject({ kernelBefore: OLD, kernelAfter: patched });
    expect(world.backends.get('i-node-1')).toBe(100);
  });

  it('a retry of a node found at weight 0 that fails before its patch leaves it out, never back in service unproven', async () => {
    const faults = noFaults();
    faults.unhealthyAfterBoot.add('i-node-1');
    const world = new InMemoryWorld(fleet(3), faults);
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 2, drainProbe: 'access-log' });
    await runModel(world, plan);
    expect(world.backends.get('i-node-1')).toBe(0);

    faults.neverQuiet.add('i-node-1'); // the drain wait times out: onTimeout halt
    const retried = await resumeRetrying(world, ['i-node-1']);
    expect(world.backends.get('i-node-1')).toBe(0);
    expect(retried.report.nodes[0]).toMatchObject({ state: 'left-out', reason: 'unhealthy' });
    expect(retried.report.leftOut.map((n) => n.id)).toContain('i-node-1');
  });

  it('is refused, changing nothing, for a node that is done or not in the plan', async () => {
    const faults = noFaults();
    faults.patchFails.add('i-node-2');
    const world = new InMemoryWorld(fleet(3), faults);
    await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    const lines = world.journalLines.length;
    await expect(resumeRetrying(world, ['i-node-1'])).rejects.toMatchObject({
      code: 'RETRY_REFUSED',
      exitCode: 3,
      message: '--retry i-node-1: web-1 is done, only a node rolled back or left out is retried',
    });
    await expect(resumeRetrying(world, ['i-nope'])).rejects.toMatchObject({
      code: 'RETRY_REFUSED',
    });
    expect(world.journalLines.length).toBe(lines);
  });
});
