/**
 * A stop request cuts short a step that polls the world (here `dns.verify`, which waits for the
 * name servers to agree): the step is stopped, not failed, and `resume` repeats it.
 */
import { describe, expect, it } from 'vitest';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

describe('a poll that a stop request cuts short', () => {
  it('an abort while dns.verify waits stops the step instead of failing it', async () => {
    const world = new InMemoryWorld(fleet(2));
    const controller = new AbortController();
    let answers = 0;
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1, dnsCutover: true });
    const result = await runModel(world, plan, {
      signal: controller.signal,
      wrap: (ports) => ({
        ...ports,
        dnsResolver: {
          // The name servers never agree; the operator aborts after the first answer.
          resolve: async () => {
            answers += 1;
            controller.abort(new Error('received SIGINT'));
            return ['10.9.9.9'];
          },
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.report.haltReason).toContain('SIGINT');
    expect(answers).toBe(1);
    const verify = world.journalLines
      .map((line) => JSON.parse(line) as { type: string; action?: string; status?: string })
      .filter((entry) => entry.type === 'step' && entry.action === 'dns.verify');
    expect(verify).toEqual([]);
  });
});
