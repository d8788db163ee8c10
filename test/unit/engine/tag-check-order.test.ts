/**
 * Review round 3: the balancer tag check before an intent must neither stall silently nor make
 * the gate's live observation stale. A slow tag read (throttled, high latency) comes before the
 * drain's health reading, so weight 0 is decided on a fresh one; a read that fails is reported
 * once per check, naming the layer, and the run carries on (the lock file still holds).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRun } from '#src/engine/lifecycle/runner.js';
import { createLogger } from '#src/log/index.js';
import type { LoadBalancer, TagReadOptions } from '#src/ports/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { silent } from '#support/in-memory-runs.js';
import { Incarnation, InMemoryWorld } from '#support/in-memory-world.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drainctl-tag-check-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function withTags(world: InMemoryWorld, getTags: LoadBalancer['getTags']) {
  const ports = world.ports(new Incarnation());
  const loadBalancer: LoadBalancer = { ...ports.loadBalancer, getTags };
  return { ...ports, loadBalancer };
}

const options = {
  abortPollMs: 3_600_000,
  heartbeatMs: 3_600_000,
  lockSettleMs: 0,
};

describe('the tag check before a drain', () => {
  it('comes before the gate reads live health, so weight 0 is sent on a reading under a second old', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plain = world.ports().loadBalancer;
    // Every tag read takes 3 s once the run is under way (a slow, not a failed, read).
    let slow = false;
    const ports = withTags(world, async (id, tagOptions?: TagReadOptions) => {
      if (slow) await world.clock.sleep(3_000);
      return plain.getTags(id, tagOptions);
    });
    const healthReadAt: number[] = [];
    const zeroSentAt: number[] = [];
    const loadBalancer: LoadBalancer = {
      ...ports.loadBalancer,
      healthStatus: async (...args) => {
        healthReadAt.push(world.clock.monotonic());
        return ports.loadBalancer.healthStatus(...args);
      },
      setBackendWeights: async (id, weights) => {
        if (weights.some((w) => w.weight === 0)) zeroSentAt.push(world.clock.monotonic());
        return ports.loadBalancer.setBackendWeights(id, weights);
      },
      setTags: async (id, tags) => {
        await ports.loadBalancer.setTags(id, tags);
        slow = true;
      },
    };
    const result = await startRun(buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      ...options,
      home: join(dir, '.drainctl'),
      ports: { ...ports, loadBalancer },
      logger: silent,
    });
    expect(result.outcome).toBe('completed');
    expect(zeroSentAt).toHaveLength(2);
    for (const sent of zeroSentAt) {
      const lastHealth = Math.max(...healthReadAt.filter((t) => t <= sent));
      expect(sent - lastHealth).toBeLessThanOrEqual(1_000);
    }
  });

  it('that cannot read the tag logs one warning naming the layer, asks for a short read, and goes on', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plain = world.ports().loadBalancer;
    // DescribeTags is throttled from the first check after the tag was set and read back.
    let tagged = false;
    let throttled = false;
    const asked: Array<TagReadOptions | undefined> = [];
    const ports = withTags(world, async (id, tagOptions?: TagReadOptions) => {
      if (!throttled) {
        throttled = tagged;
        return plain.getTags(id, tagOptions);
      }
      asked.push(tagOptions);
      throw Object.assign(new Error('Throttling.User: request was denied due to throttling'), {
        code: 'Throttling.User',
      });
    });
    const setTags = ports.loadBalancer.setTags;
    ports.loadBalancer.setTags = async (id, tags) => {
      await setTags(id, tags);
      tagged = true;
    };
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      pretty: false,
      destination: { write: (s: string) => lines.push(s) > 0 } as never,
    });
    const result = await startRun(buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      ...options,
      home: join(dir, '.drainctl'),
      ports,
      logger,
    }).catch((error: unknown) => error);
    // The run could not remove its tag at the end (still throttled): that is reported, not fatal.
    expect(result).toMatchObject({ outcome: 'completed' });
    expect(asked.length).toBeGreaterThan(0);
    // Every per-intent read asks for a short one (release reads on the full budget).
    expect(asked.filter((a) => a?.withinMs !== undefined).length).toBeGreaterThanOrEqual(2);
    for (const a of asked.filter((x) => x?.withinMs !== undefined)) {
      expect(a?.withinMs).toBeLessThanOrEqual(1_000);
    }
    const warnings = lines.filter((l) => l.includes('balancer tag lock could not be checked'));
    expect(warnings.length).toBe(asked.filter((a) => a?.withinMs !== undefined).length);
    expect(warnings[0]).toMatch(
      /could not be checked before the drain of [^;]+; the lock file still holds/,
    );
    expect(
      lines.some((l) => /before set-weight \(step [^)]+\); the lock file still holds/.test(l)),
    ).toBe(true);
  });
});
