import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { writeCanonicalJson } from '#src/plan/canonical-json.js';
import { canonicalJson, hashPlan, planRollout } from '#src/plan/index.js';
import { afterSeedRun, balancer, emulatorWorld } from '#support/observed-inventory.js';
import { loadExample, workflowFrom } from '#support/workflows.js';

const seed = loadExample('workflows/kernel-patch.yaml');

describe('the plan hash', () => {
  // An approved hash must still match after any refactoring that leaves the plan as it is: a
  // change here means every plan approved before it is refused by `run --plan-sha256`. Update
  // these only with a change that really changes the plan, and say so in its commit message.
  // (kernel-patch creates its balancer: the plan holds the ClientToken, hashed the same way.)
  it('is unchanged for the example workflows', () => {
    const demo = loadExample('workflows/demo.yaml', { DRAINCTL_DEMO_STATE: '/tmp/demo-state' });
    const rolling = loadExample('workflows/rolling-patch-existing-slb.yaml', {
      LOAD_BALANCER_ID: 'lb-emu-1',
    });
    const fourServing = emulatorWorld({
      loadBalancer: balancer([1, 2, 3, 4].map((n) => ({ id: `i-emu-web-${n}`, weight: 100 }))),
    });
    const plan = (workflow: typeof seed, world: ReturnType<typeof emulatorWorld>) =>
      planRollout(workflow.spec, world, workflow.source, sha256Hex);
    expect({
      kernelPatch: plan(seed, emulatorWorld()).sha256,
      kernelPatchWorkflowText: plan(seed, emulatorWorld()).workflow.sha256,
      kernelPatchRerun: plan(seed, afterSeedRun()).sha256,
      demo: plan(demo, emulatorWorld()).sha256,
      rollingPatch: plan(rolling, fourServing).sha256,
    }).toEqual({
      // Changed once, on purpose: the verify step of a `changed` workflow with neededWhen checks
      // no longer carries them for servers the checks can skip (an unchanged kernel there is
      // unpatched, not "already current").
      // Changed again, on purpose: each ramp step carries extendSeconds and onInconclusive, and
      // its description says what a hold with too few requests does (a plan approved before
      // would have ramped on unproven).
      kernelPatch: 'c2d432034a15a68177f26ab40539d74c67dd162ab39aec40a277097c42702128',
      kernelPatchWorkflowText: 'a3f536d9b9e1fe95294968d87bfd8e2efc90d8c16194f9d539968e44a8202749',
      kernelPatchRerun: 'c395d46299043dad9653bc8bad6f8e906d994fc64d47bccbab28ef79e078ba67',
      demo: '5e66ebfe3537e24ffafeb459ca1dd7ca4813c4e3bd1b5cf6a73694b8afab30bf',
      rollingPatch: 'e292eec6de197f3ea7b991a0023f46f0a419a400c6a678f24563d5b2ea8da313',
    });
  });

  it('canonical JSON does not depend on key order and leaves undefined out', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('canonical JSON of a large value is the JSON of its sorted form, across its chunks', () => {
    // More pieces than one chunk holds, with undefined members and array items, functions,
    // empty containers and strings JSON escapes.
    const value = {
      rows: Array.from({ length: 3000 }, (_, i) => ({
        z: i,
        a: [i, undefined, 'q"\\\n\u2028', null, () => i],
        m: i % 2 === 0 ? undefined : { y: {}, x: [] },
        f: () => i,
      })),
      b: true,
    };
    const sorted = (v: unknown): unknown => {
      if (Array.isArray(v))
        return v.map((item) => (typeof item === 'function' ? null : sorted(item)));
      if (v === null || typeof v !== 'object') return v;
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((key) => [key, sorted((v as Record<string, unknown>)[key])]),
      );
    };
    expect(canonicalJson(value)).toBe(JSON.stringify(sorted(value)));
    // Streamed into the hash chunk by chunk, as hashPlan does: several chunks, the same digest.
    const chunks: string[] = [];
    writeCanonicalJson(value, (chunk) => chunks.push(chunk));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(canonicalJson(value));
    expect(sha256Hex((write) => writeCanonicalJson(value, write))).toBe(
      sha256Hex(canonicalJson(value)),
    );
  });

  it('is the same for the same spec and the same relevant world, whenever it is observed', () => {
    const first = planRollout(seed.spec, emulatorWorld(), seed.source, sha256Hex);
    const later = planRollout(
      seed.spec,
      emulatorWorld({ observedAt: '2026-11-22T03:30:00.000Z' }),
      seed.source,
      sha256Hex,
    );
    expect(later.sha256).toBe(first.sha256);
    expect(hashPlan(first, sha256Hex)).toBe(first.sha256);
    // Irrelevant facts (an OS name, a tag nobody selects on) do not change the plan either.
    const world = emulatorWorld();
    world.instances = world.instances.map((instance) => ({
      ...instance,
      osName: 'CentOS 7.9 (patched)',
      tags: { ...instance.tags, owner: 'ops' },
    }));
    expect(planRollout(seed.spec, world, seed.source, sha256Hex).sha256).toBe(first.sha256);
  });

  it('changes when a weight, a health state, a step parameter or the workflow text changes', () => {
    const base = planRollout(seed.spec, afterSeedRun(), seed.source, sha256Hex).sha256;
    const reweighted = afterSeedRun();
    reweighted.loadBalancer = balancer([
      { id: 'i-emu-web-1', weight: 80 },
      { id: 'i-emu-web-2', weight: 100 },
    ]);
    expect(planRollout(seed.spec, reweighted, seed.source, sha256Hex).sha256).not.toBe(base);

    const otherTtl = afterSeedRun();
    if (otherTtl.dns?.record) otherTtl.dns.record.ttl = 1;
    expect(planRollout(seed.spec, otherTtl, seed.source, sha256Hex).sha256).not.toBe(base);

    const quieter = loadExample('workflows/kernel-patch.yaml');
    quieter.spec.drain.quietSeconds = 6;
    expect(planRollout(quieter.spec, afterSeedRun(), quieter.source, sha256Hex).sha256).not.toBe(
      base,
    );

    const commented = { ...seed.source, text: `${seed.source.text}\n# reviewed by ops\n` };
    expect(planRollout(seed.spec, afterSeedRun(), commented, sha256Hex).sha256).not.toBe(base);
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
    const plan = (w: ReturnType<typeof yaml>) => planRollout(w.spec, world, w.source, sha256Hex);
    const one = plan(yaml(1, true));
    const two = plan(yaml(2, true));
    const noReboot = plan(yaml(1, false));
    expect(two.batches).not.toEqual(one.batches);
    expect(new Set([one.sha256, two.sha256, noReboot.sha256]).size).toBe(3);
  });
});
