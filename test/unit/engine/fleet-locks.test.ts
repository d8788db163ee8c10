/**
 * A fleet run holds a lock on every balancer its plan touches, yet a change to one server reads
 * only the locks of that server's balancers: another run can meet it only there, and a night of
 * a hundred balancers cannot read every balancer's tag before each of its thousands of changes.
 * The tags are taken several at a time, so their settle periods overlap.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatTagValue, LOCK_TAG_KEY } from '#src/engine/lock/balancer-tag.js';
import { RunLocks } from '#src/engine/lock/run-locks.js';
import type { Plan } from '#src/plan/types.js';
import type { LoadBalancer } from '#src/ports/index.js';
import { ManualClock } from '#support/manual-clock.js';

const IDS = Array.from({ length: 12 }, (_, i) => `lb-${String(i + 1).padStart(2, '0')}`);

/** The tag calls of the LoadBalancer port, on many balancers, counting the reads of each. */
function taggedBalancers() {
  const tags = new Map<string, Map<string, string>>(IDS.map((id) => [id, new Map()]));
  const reads = new Map<string, number>();
  let writesInFlight = 0;
  let mostWritesInFlight = 0;
  const port = {
    getTags: async (id: string) => {
      reads.set(id, (reads.get(id) ?? 0) + 1);
      return Object.fromEntries(tags.get(id) ?? []);
    },
    setTags: async (id: string, values: Record<string, string>) => {
      writesInFlight += 1;
      mostWritesInFlight = Math.max(mostWritesInFlight, writesInFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      for (const [k, v] of Object.entries(values)) tags.get(id)?.set(k, v);
      writesInFlight -= 1;
    },
    removeTags: async (id: string, keys: string[]) => {
      for (const k of keys) tags.get(id)?.delete(k);
    },
  } as unknown as LoadBalancer;
  return { port, tags, reads, mostWritesInFlight: () => mostWritesInFlight };
}

describe('the locks of a fleet run', () => {
  let home = '';
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'drainctl-fleet-locks-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('are checked only on the balancers a change concerns; a lock lost elsewhere shows in a full check', async () => {
    const world = taggedBalancers();
    const plan = {
      loadBalancer: { id: IDS[0] },
      balancers: IDS.map((id) => ({ id, name: id })),
    } as unknown as Plan;
    const locks = await RunLocks.acquire(plan, undefined, {
      home,
      runId: 'r-1',
      clock: new ManualClock(),
      breakLock: false,
      tagSettleMs: 0,
      loadBalancer: world.port,
    });
    try {
      expect(IDS.every((id) => world.tags.get(id)?.has(LOCK_TAG_KEY))).toBe(true);
      expect(world.mostWritesInFlight()).toBeGreaterThan(1);
      world.reads.clear();
      await locks.guard.beforeIntent({ before: 'x', loadBalancerIds: new Set(['lb-03', 'lb-07']) });
      expect([...world.reads.keys()].sort()).toEqual(['lb-03', 'lb-07']);

      const thief = formatTagValue({
        runId: 'r-thief',
        pid: 9,
        host: 'ops-02',
        acquiredAt: new Date(0).toISOString(),
      });
      world.tags.get('lb-11')?.set(LOCK_TAG_KEY, thief);
      await locks.guard.beforeIntent({ before: 'x', loadBalancerIds: new Set(['lb-03']) });
      await expect(locks.guard.beforeIntent({ before: 'y' })).rejects.toMatchObject({
        code: 'LOCK_LOST',
      });
    } finally {
      await locks.release();
    }
  });
});
