/**
 * `patch.verify.skipIfCompliant` (opt-in, equals/matches only): the baseline becomes each
 * server's first step and carries the expectation, so a server already compliant is skipped
 * before its gate, hooks or drain. Without it, plans (and their sha256) are as before.
 */
import { describe, expect, it } from 'vitest';
import { planRollout, renderRunbook } from '../../../src/plan/index.js';
import { emulatorWorld, loadExample } from './fixtures.js';

const TARGET = '3.10.0-1160.119.1.el7.x86_64';

describe('skipIfCompliant', () => {
  const seed = loadExample('workflows/kernel-patch.yaml');
  const plain = planRollout(seed.spec, emulatorWorld(), seed.source);

  it('puts the baseline first, with the expectation, and says so in the runbook', () => {
    const spec = structuredClone(seed.spec);
    spec.patch.verify = {
      command: 'uname -r',
      expect: { equals: TARGET },
      timeoutSeconds: 60,
      skipIfCompliant: true,
    };
    const plan = planRollout(spec, emulatorWorld(), seed.source);
    const web1 = plan.steps.filter((s) => s.node === 'i-emu-web-1' && s.phase === 'rollout');
    expect(web1[0]).toMatchObject({
      action: 'node.capture-baseline',
      params: { skipIfCompliant: { kind: 'equals', value: TARGET } },
    });
    expect(web1[1]?.action).toBe('gate');
    expect(renderRunbook(plan)).toContain(
      `Record \`uname -r\` on i-emu-web-1 (web-1) as the baseline; if it already equals "${TARGET}", skip`,
    );
  });

  it('leaves plans without it unchanged', () => {
    const spec = structuredClone(seed.spec);
    if (spec.patch.verify !== false) spec.patch.verify.skipIfCompliant = false;
    const plan = planRollout(spec, emulatorWorld(), seed.source);
    expect(plan.sha256).toBe(plain.sha256);
    const baseline = plain.steps.find((s) => s.action === 'node.capture-baseline');
    expect(baseline?.params).not.toHaveProperty('skipIfCompliant');
  });
});
