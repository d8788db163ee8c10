/**
 * The runbook's estimate, step kind by step kind, for the seed story (workflows/kernel-patch.yaml)
 * planned against the emulator's world. The waits the workflow sets are counted exactly as
 * configured; cloud calls, commands and reboots at real-cloud figures (src/plan/estimates.ts,
 * docs/engine.md "Estimates"). On the emulator this workflow ran in 78–79 s.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import { emulatorWorld } from '#support/observed-inventory.js';
import { loadExample } from '#support/workflows.js';

const seed = loadExample('workflows/kernel-patch.yaml');
const plan = planRollout(seed.spec, emulatorWorld(), seed.source, sha256Hex);

function seconds(action: string, node?: string): number | undefined {
  return plan.steps.find((s) => s.action === action && (node === undefined || s.node === node))
    ?.expectedSeconds;
}

describe('estimates of the seed story', () => {
  it('counts the waits the workflow sets exactly, plus the probe latency or one weight change per ramp step', () => {
    // quietSeconds 5, plus the probe's one-second read.
    expect(seconds('node.wait-drained', 'i-emu-web-1')).toBe(6);
    // Three ramp steps of (one weight change + a 5 s hold).
    expect(seconds('node.restore', 'i-emu-web-1')).toBe(18);
    expect(seconds('node.restore', 'i-emu-web-2')).toBe(18);
    // 3 consecutive successes, every 1 s.
    expect(seconds('node.wait-healthy', 'i-emu-web-1')).toBe(3);
    // healthyThreshold 2 × intervalSeconds 2 (the check's timeout is spent only on a failure).
    expect(seconds('lb.verify-path')).toBe(4);
    // The old TTL (10 s), waited out in full.
    expect(seconds('wait')).toBe(10);
  });

  it('counts cloud calls at about a second each, and a patch command and a reboot at a minute', () => {
    expect(seconds('lb.create')).toBe(5);
    expect(seconds('lb.ensure-listener')).toBe(2);
    expect(seconds('lb.add-backends')).toBe(1);
    expect(seconds('lb.start-listener')).toBe(3);
    expect(seconds('dns.set-ttl')).toBe(1);
    expect(seconds('dns.point')).toBe(1);
    expect(seconds('dns.verify')).toBe(5);
    expect(seconds('gate', 'i-emu-web-1')).toBe(1);
    expect(seconds('node.drain', 'i-emu-web-1')).toBe(1);
    // The verify command and the two neededWhen checks, a few seconds each.
    expect(seconds('node.capture-baseline', 'i-emu-web-1')).toBe(9);
    expect(seconds('node.verify', 'i-emu-web-1')).toBe(3);
    expect(seconds('node.patch', 'i-emu-web-1')).toBe(60);
    expect(seconds('node.reboot', 'i-emu-web-1')).toBe(60);
  });

  it('totals 6 min 13 s and says which figures are the real cloud’s', () => {
    expect(plan.estimate.totalSeconds).toBe(373);
    expect(renderRunbook(plan)).toContain(
      '  Estimated time: 6 min 13 s (real-cloud figures: ~1 min per patch command, ~1 min per reboot; the emulator takes seconds for these)\n',
    );
  });
});
