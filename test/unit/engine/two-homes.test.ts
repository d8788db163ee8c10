/**
 * Engine review: two operators in two working directories (two DRAINCTL_HOMEs) each got "the"
 * lock on one balancer, and both drained nodes. The balancer's `drainctl-lock` tag is the layer
 * both see: one of them changes things, the other is refused (or, having lost the tag race,
 * stops before its first mutation).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRun } from '#src/engine/lifecycle/runner.js';
import { formatTagValue, LOCK_TAG_KEY } from '#src/engine/lock/balancer-tag.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { silent } from '#support/in-memory-runs.js';
import { Incarnation, InMemoryWorld } from '#support/in-memory-world.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drainctl-two-homes-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = (world: InMemoryWorld, who: string) => ({
  home: join(dir, who, '.drainctl'),
  ports: world.ports(new Incarnation()),
  logger: silent,
  abortPollMs: 3_600_000,
  heartbeatMs: 3_600_000,
  runId: `r-${who}`,
});

describe('two DRAINCTL_HOMEs, one balancer', () => {
  it("a run is refused while another home's run holds the balancer's tag, before it journals or changes anything", async () => {
    const world = new InMemoryWorld(fleet(2));
    const alice = formatTagValue({
      runId: 'r-alice',
      pid: process.pid,
      host: hostname(),
      acquiredAt: new Date().toISOString(),
    });
    world.tags.set(LOCK_TAG_KEY, alice);
    const bob = startRun(
      buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }),
      options(world, 'bob'),
    );
    await expect(bob).rejects.toMatchObject({
      code: 'LOCK_HELD',
      message: expect.stringContaining(`held by run r-alice (pid ${process.pid} on ${hostname()})`),
    });
    expect(world.weightEvents).toEqual([]);
    expect(world.tags.get(LOCK_TAG_KEY)).toBe(alice);
  });

  it('of two runs started together from two homes, exactly one changes anything; the tag is gone at the end', async () => {
    const world = new InMemoryWorld(fleet(3));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const [a, b] = await Promise.allSettled([
      startRun(plan, options(world, 'alice')),
      startRun(plan, options(world, 'bob')),
    ]);
    const results = [a, b];
    const completed = results.filter(
      (r) => r.status === 'fulfilled' && r.value.outcome === 'completed',
    );
    expect(completed).toHaveLength(1);
    const other = results.find((r) => r !== completed[0]);
    if (other?.status === 'rejected') {
      expect(other.reason).toMatchObject({ code: 'LOCK_HELD' });
    } else {
      // It lost the read-back race unnoticed and found the tag not its own at its first intent.
      expect(other?.value.outcome).toBe('failed');
      expect(other?.value.report.summary).toMatch(/^lock lost/);
      expect(other?.value.state.nodes.get(world.nodes[0]?.id ?? '')?.state).toBe('pending');
    }
    expect(Math.max(...world.outSnapshots.map((s) => s.out.length))).toBe(1);
    expect(world.tags.has(LOCK_TAG_KEY)).toBe(false);
  });
});
