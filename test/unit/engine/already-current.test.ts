/**
 * "Unchanged: already current" (`expect: changed` with `neededWhen`) is taken only from a node
 * the checks found current before its drain. After any reboot a machine that booted its old
 * kernel (a boot-loader fallback) has no update left (`yum check-update` exits 0: the new
 * package is installed) and no reboot pending (`needs-restarting -r` exits 0): asked only after
 * the patch, the checks would call it current and it would ramp back, unpatched, as done.
 */
import { describe, expect, it } from 'vitest';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import { sha256Hex } from '#src/engine/sha256.js';
import { hashPlan } from '#src/plan/plan-hash.js';
import type { Plan } from '#src/plan/types.js';
import type { CommandResult } from '#src/ports/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, noFaults } from '#support/in-memory-world.js';

const CHECKS = [
  { command: 'yum -q check-update kernel', exitCode: 100, timeoutSeconds: 60 },
  { command: 'needs-restarting -r', exitCode: 1, timeoutSeconds: 60 },
];

/** As the planner plans `skipIfCompliant: false` with checks: they record, never skip. */
function recordingChecks(plan: Plan): Plan {
  for (const step of plan.steps) {
    if (step.action === 'node.capture-baseline') {
      step.params = { ...step.params, neededWhen: CHECKS, neverSkip: true };
    }
    if (step.action === 'node.verify') step.params = { ...step.params, neededWhen: CHECKS };
  }
  const { sha256: _, ...unhashed } = plan;
  return { ...unhashed, sha256: hashPlan(unhashed, sha256Hex) };
}

const exited = (code: number): CommandResult => ({
  status: code === 0 ? 'success' : 'failed',
  exitCode: code,
  output: '',
});

/**
 * The checks as yum answers them: an update is available until the patch installed it (never,
 * for a node `current` from the start); no reboot is ever pending after the reboot.
 */
function yumChecks(current: ReadonlySet<string>) {
  const installed = new Set(current);
  return (ports: EnginePorts): EnginePorts => ({
    ...ports,
    host: (target) => {
      const host = ports.host(target);
      return {
        ...host,
        runCommand: async (id, request) => {
          if (request.script === CHECKS[0]?.command) return exited(installed.has(id) ? 0 : 100);
          if (request.script === CHECKS[1]?.command) return exited(0);
          const result = await host.runCommand(id, request);
          if (request.script.startsWith('yum update')) installed.add(id);
          return result;
        },
      };
    },
  });
}

describe('an unchanged verify output after the patch', () => {
  it('on a node found needing the patch (it booted its old kernel): unpatched, left out', async () => {
    const faults = noFaults();
    // The new kernel is installed, but the machine comes back on the old one.
    faults.patchNoop.add('i-node-1');
    const world = new InMemoryWorld(fleet(2), faults);
    const plan = recordingChecks(buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    const result = await runModel(world, plan, { wrap: yumChecks(new Set()) });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.report.nodes[0]).toMatchObject({
      state: 'left-out',
      reason: 'unpatched',
      detail: expect.stringContaining(
        'the checks called the patch needed before its drain, so an unchanged output is not "already current"',
      ),
    });
    expect(world.endState().weights['i-node-1']).toBe(0);
  });

  it('on a node found current before its drain (drained anyway): already current, done', async () => {
    const faults = noFaults();
    faults.patchNoop.add('i-node-1');
    const world = new InMemoryWorld(fleet(1), faults);
    const plan = recordingChecks(buildPlan(world, { minHealthy: 0, maxUnavailable: 1 }));
    const result = await runModel(world, plan, { wrap: yumChecks(new Set(['i-node-1'])) });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(result.report.nodes[0]).toMatchObject({
      state: 'done',
      weightAfter: 100,
      detail: expect.stringMatching(/^unchanged: already current: /),
    });
    const baseline = world.journalLines
      .map((line) => JSON.parse(line))
      .find((e) => e.type === 'step' && e.action === 'node.capture-baseline');
    expect(baseline.data).toMatchObject({ needed: 'current' });
  });
});
