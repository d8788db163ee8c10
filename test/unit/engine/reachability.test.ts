/**
 * A node not healthy after its reboot is `unreachable` when nothing reached it — no check of
 * drainctl's own ever got an answer and its agent runs no command (an OS that did not boot,
 * though the hypervisor says Running) — and `unhealthy` when anything answered.
 */
import { describe, expect, it } from 'vitest';
import { notHealthyOutcome } from '#src/engine/policy/reachability.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, noFaults } from '#support/in-memory-world.js';

describe('unreachable or unhealthy: one rule', () => {
  it.each([
    [false, false, 'no-boot'],
    [false, true, 'unhealthy'],
    [true, false, 'unhealthy'],
    [true, true, 'unhealthy'],
    [false, undefined, 'unhealthy'], // the agent could not be asked: no proof the machine is down
  ] as const)(
    'check answered %s, agent answered %s → %s',
    (checkAnswered, agentAnswered, outcome) => {
      expect(notHealthyOutcome({ checkAnswered, agentAnswered })).toBe(outcome);
    },
  );
});

async function runWith(fault: 'osFailsAfterBoot' | 'unhealthyAfterBoot') {
  const faults = noFaults();
  faults[fault].add('i-node-2');
  const world = new InMemoryWorld(fleet(3), faults);
  const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
  if (result === 'crashed') throw new Error('crashed');
  return { world, result };
}

describe('a node after its reboot', () => {
  it('"Running" but its OS never came up (no check answers, its agent runs nothing): left out as unreachable, and says why', async () => {
    const { world, result } = await runWith('osFailsAfterBoot');
    expect(result.outcome).toBe('halted');
    expect(result.report.leftOut).toEqual([
      {
        id: 'i-node-2',
        name: 'web-2',
        reason: 'unreachable',
        detail: expect.stringMatching(
          /^i-node-2 cannot be reached: no health check got an answer from it within 120s \(http 10\.0\.0\.12:8080\/healthz: connect ETIMEDOUT; balancer health of i-node-2: abnormal\) and it runs no command \(`true`: error, exit none, ClientNotRunning\): it did not come back$/,
        ),
      },
    ]);
    expect(world.endState().weights['i-node-2']).toBe(0);
    const probe = world.journalLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.type === 'probe' && e.kind === 'health' && e.node === 'i-node-2');
    expect(probe?.data).toMatchObject({ answered: false, agent: expect.stringContaining('true') });
  });

  it('up but failing its checks (its agent answers): left out as unhealthy', async () => {
    const { result } = await runWith('unhealthyAfterBoot');
    expect(result.report.leftOut.map((n) => [n.id, n.reason])).toEqual([['i-node-2', 'unhealthy']]);
    expect(result.report.leftOut[0]?.detail).toMatch(/^not healthy within 120s/);
  });
});
