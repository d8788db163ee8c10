/**
 * A fleet drain saves the weights its server comes back to before it reads what weight 0 is
 * decided on: the gate's health and the weights are read after the tag writes, however long they
 * take, and a drain decided against leaves no saved weight behind on a server that serves.
 */
import { describe, expect, it } from 'vitest';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import { fleetModel, journal, WEB1 } from '#support/fleet-model.js';
import { resumeModel, runModel } from '#support/in-memory-runs.js';

const WEB2 = 'i-emu-web-2';

describe('a fleet drain', () => {
  it('decides weight 0 on the health read after its saved-weight tags are written', async () => {
    const { world, plan } = fleetModel();
    // web-2 fails its health check while web-1's tag is being written (a slow, retried write).
    const wrap = (ports: EnginePorts): EnginePorts => ({
      ...ports,
      loadBalancer: {
        ...ports.loadBalancer,
        async setTags(id, tags) {
          await ports.loadBalancer.setTags(id, tags);
          if (Object.keys(tags).includes(`drainctl-weight-${WEB1}`))
            world.faults.lbAbnormal.add(WEB2);
        },
      },
    });
    const result = await runModel(world, plan, { wrap });
    expect(result).not.toBe('crashed');
    const entries = journal(world);
    const recheck = entries.find((e) => e.type === 'gate' && e.node === WEB1 && e.recheck);
    expect(recheck?.passed).toBe(false);
    expect(String(recheck?.summary)).toContain('0 healthy weighted server(s) would remain');
    // web-1 was never taken out, and keeps no saved weight: it still serves at 100.
    expect(entries.some((e) => e.type === 'intent' && e.node === WEB1)).toBe(false);
    expect(world.backends.get(WEB1)).toBe(100);
    expect([...world.tags.keys()].filter((key) => key.startsWith('drainctl-weight-'))).toEqual([]);
  });
  it('killed between its tag writes and its first weight change, leaves no tag once resumed and blocked', async () => {
    // Where the uninterrupted drain moves web-1 to draining: right after its tags, before its intents.
    const reference = fleetModel();
    await runModel(reference.world, reference.plan);
    const draining = journal(reference.world).find(
      (e) => e.type === 'node-state' && e.node === WEB1 && e.state === 'draining',
    );
    const { world, plan } = fleetModel();
    expect(await runModel(world, plan, { crashAfterSeq: Number(draining?.seq) })).toBe('crashed');
    expect(world.tags.get(`drainctl-weight-${WEB1}`)).toBeDefined();
    expect(world.backends.get(WEB1)).toBe(100);
    // Before the resume web-2 fails its health check: web-1 must not leave, and keeps no tag.
    world.faults.lbAbnormal.add(WEB2);
    const resumed = await resumeModel(world);
    expect(resumed).not.toBe('crashed');
    expect(world.backends.get(WEB1)).toBe(100);
    expect([...world.tags.keys()].filter((key) => key.startsWith('drainctl-weight-'))).toEqual([]);
  });
});
