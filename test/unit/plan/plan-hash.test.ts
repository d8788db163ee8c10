import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, hashPlan, planRollout } from '../../../src/plan/index.js';
import { sha256Hex } from '../../../src/plan/sha256.js';
import { afterSeedRun, balancer, emulatorWorld, loadExample, workflowFrom } from './fixtures.js';

const seed = loadExample('workflows/kernel-patch.yaml');

describe('the plan hash', () => {
  it('pure SHA-256 agrees with node:crypto', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
      { numRuns: 200 },
    );
    for (const length of [0, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const text = 'x'.repeat(length);
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'));
    }
  });

  it('canonical JSON does not depend on key order and leaves undefined out', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('is the same for the same spec and the same relevant world, whenever it is observed', () => {
    const first = planRollout(seed.spec, emulatorWorld(), seed.source);
    const later = planRollout(
      seed.spec,
      emulatorWorld({ observedAt: '2026-11-22T03:30:00.000Z' }),
      seed.source,
    );
    expect(later.sha256).toBe(first.sha256);
    expect(hashPlan(first)).toBe(first.sha256);
    // Irrelevant facts (an OS name, a tag nobody selects on) do not change the plan either.
    const world = emulatorWorld();
    world.instances = world.instances.map((instance) => ({
      ...instance,
      osName: 'CentOS 7.9 (patched)',
      tags: { ...instance.tags, owner: 'ops' },
    }));
    expect(planRollout(seed.spec, world, seed.source).sha256).toBe(first.sha256);
  });

  it('changes when a weight, a health state, a step parameter or the workflow text changes', () => {
    const base = planRollout(seed.spec, afterSeedRun(), seed.source).sha256;
    const reweighted = afterSeedRun();
    reweighted.loadBalancer = balancer([
      { id: 'i-emu-web-1', weight: 80 },
      { id: 'i-emu-web-2', weight: 100 },
    ]);
    expect(planRollout(seed.spec, reweighted, seed.source).sha256).not.toBe(base);

    const otherTtl = afterSeedRun();
    if (otherTtl.dns?.record) otherTtl.dns.record.ttl = 1;
    expect(planRollout(seed.spec, otherTtl, seed.source).sha256).not.toBe(base);

    const quieter = loadExample('workflows/kernel-patch.yaml');
    quieter.spec.drain.quietSeconds = 6;
    expect(planRollout(quieter.spec, afterSeedRun(), quieter.source).sha256).not.toBe(base);

    const commented = { ...seed.source, text: `${seed.source.text}\n# reviewed by ops\n` };
    expect(planRollout(seed.spec, afterSeedRun(), commented).sha256).not.toBe(base);
  });

  it('changes when a step is added or the batches are cut differently', () => {
    const yaml = (maxUnavailable: number, reboot: boolean) =>
      workflowFrom(`name: w
region: cn-hangzhou
loadBalancer: { id: lb-emu-1 }
backends: { instances: [i-emu-web-1, i-emu-web-2, i-emu-web-3] }
rollout: { maxUnavailable: ${maxUnavailable}, minHealthy: 1 }
drain: { probe: { kind: none, waitSeconds: 1 }, timeoutSeconds: 60 }
patch: { commands: ['systemctl restart app'], reboot: ${reboot} }
`);
    const world = emulatorWorld({
      loadBalancer: balancer([1, 2, 3].map((n) => ({ id: `i-emu-web-${n}`, weight: 100 }))),
    });
    const plan = (w: ReturnType<typeof yaml>) => planRollout(w.spec, world, w.source);
    const one = plan(yaml(1, true));
    const two = plan(yaml(2, true));
    const noReboot = plan(yaml(1, false));
    expect(two.batches).not.toEqual(one.batches);
    expect(new Set([one.sha256, two.sha256, noReboot.sha256]).size).toBe(3);
  });
});
