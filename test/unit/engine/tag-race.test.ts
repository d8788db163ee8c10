/**
 * Review round 3: the balancer tag has no compare-and-set; acquire reads, writes, reads back.
 * Two runs (two DRAINCTL_HOMEs on one host) whose writes cross must never both hold the tag:
 * a write that took longer than the bound is not trusted, and a run that tagged waits a settle
 * period longer than that bound and looks again before it changes anything.
 */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  BalancerTagLock,
  DEFAULT_TAG_SETTLE_MS,
  LOCK_TAG_KEY,
  parseTagValue,
  TAG_WRITE_BOUND_MS,
} from '#src/engine/lock/balancer-tag.js';
import type { LoadBalancer } from '#src/ports/index.js';
import { fleet } from '#support/hand-built-plans.js';
import { InMemoryWorld } from '#support/in-memory-world.js';
import { ManualClock } from '#support/manual-clock.js';

/** A balancer port whose AddTags waits until the test lets it land. */
function heldWrite(lb: LoadBalancer) {
  let land!: () => void;
  let sending!: () => void;
  const landed = new Promise<void>((resolve) => {
    land = resolve;
  });
  const sent = new Promise<void>((resolve) => {
    sending = resolve;
  });
  const port: LoadBalancer = {
    ...lb,
    setTags: async (id, tags) => {
      sending();
      await landed;
      await lb.setTags(id, tags);
    },
  };
  return { port, sent, land };
}

/** Until `n` sleeps are pending (bounded: without a settle there are none to wait for). */
async function sleepers(clock: ManualClock, n: number): Promise<void> {
  for (let i = 0; i < 200 && clock.pendingSleeps < n; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'holds',
    (e: { code: string }) => e.code,
  );

describe('two runs racing for the balancer tag', () => {
  it('a run whose tag write was slow (throttled, retried) refuses and gives its tag back', async () => {
    const clock = new ManualClock();
    const world = new InMemoryWorld(fleet(2));
    const lb = world.ports().loadBalancer;
    const id = world.loadBalancerId;
    const slow = heldWrite(lb);
    const b = outcome(
      BalancerTagLock.acquire(slow.port, id, { runId: 'r-B', clock, host: hostname() }),
    );
    await slow.sent; // B has read "no tag"; its AddTags is being retried
    const aAcquire = BalancerTagLock.acquire(lb, id, { runId: 'r-A', clock, host: hostname() });
    await sleepers(clock, 1); // A settles
    await clock.advance(DEFAULT_TAG_SETTLE_MS);
    const a = await aAcquire;
    await a.verify(); // A's check before its first intent passes: A sets web-1 to weight 0
    slow.land(); // B's AddTags lands, long after B read the tag
    expect(await b).toBe('LOCK_UNCERTAIN');
    // B's late write clobbered A's tag; B took it back off rather than leave A to find it.
    expect(parseTagValue(world.tags.get(LOCK_TAG_KEY) ?? '')?.runId).not.toBe('r-B');
    await expect(a.verify()).resolves.toBeUndefined();
  });

  it('of two writes within the bound, the settle lets only the last writer go on', async () => {
    const clock = new ManualClock();
    const world = new InMemoryWorld(fleet(2));
    const lb = world.ports().loadBalancer;
    const id = world.loadBalancerId;
    const late = heldWrite(lb);
    const b = outcome(
      BalancerTagLock.acquire(late.port, id, { runId: 'r-B', clock, host: hostname() }),
    );
    await late.sent; // B has read "no tag"
    const a = outcome(BalancerTagLock.acquire(lb, id, { runId: 'r-A', clock, host: hostname() }));
    // A has read, written and read back its tag, and is settling when B's write lands.
    await sleepers(clock, 1);
    await clock.advance(TAG_WRITE_BOUND_MS / 2);
    late.land();
    await sleepers(clock, 2);
    await clock.advance(DEFAULT_TAG_SETTLE_MS * 2);
    expect([await a, await b]).toEqual(['LOCK_HELD', 'holds']);
    expect(parseTagValue(world.tags.get(LOCK_TAG_KEY) ?? '')?.runId).toBe('r-B');
  });

  it('a slow read before the write (throttled, retried) is not held against the run', async () => {
    const clock = new ManualClock();
    const world = new InMemoryWorld(fleet(2));
    const lb = world.ports().loadBalancer;
    let reads = 0;
    const slowRead: LoadBalancer = {
      ...lb,
      getTags: async (id) => {
        if (reads++ === 0) await clock.sleep(5_000); // the first answer comes after retries
        return lb.getTags(id);
      },
    };
    const acquiring = outcome(
      BalancerTagLock.acquire(slowRead, world.loadBalancerId, { runId: 'r-A', clock }),
    );
    await sleepers(clock, 1);
    await clock.advance(5_000);
    await sleepers(clock, 1); // settling
    await clock.advance(DEFAULT_TAG_SETTLE_MS);
    expect(await acquiring).toBe('holds');
  });

  it('waits longer than the write bound', () => {
    expect(DEFAULT_TAG_SETTLE_MS).toBeGreaterThan(TAG_WRITE_BOUND_MS);
  });
});
