/**
 * Stopping a run: only a stop request counts as one. An error during an abort is a failure like
 * any other and gets the failure policy (review finding 7).
 */
import { describe, expect, it } from 'vitest';
import { DrainctlError } from '../../../src/errors/index.js';
import { InMemoryWorld } from '../../helpers/in-memory-ports.js';
import { buildPlan, fleet } from './fixtures/plans.js';
import { runModel } from './fixtures/run-model.js';

describe('an error during an abort is a failure, not a stop', () => {
  it('Ctrl-C during the ramp, then the probe fails: the node goes to weight 0 and is named', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1, rampPercent: [10, 50, 100] });
    const controller = new AbortController();
    let holds = 0;
    const result = await runModel(world, plan, {
      signal: controller.signal,
      wrap: (ports) => ({
        ...ports,
        trafficProbes: async (node, config) => {
          const probe = await ports.trafficProbes(node, config);
          return {
            ...probe,
            async measureErrorRate(options) {
              holds += 1;
              if (node === 'i-node-1' && holds === 2) {
                controller.abort(new Error('received SIGINT'));
                await world.clock.sleep(1000);
                throw new DrainctlError('PROBE_FAILED', 'access log rotated away');
              }
              return probe.measureErrorRate(options);
            },
          };
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(world.backends.get('i-node-1')).toBe(0);
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({
        id: 'i-node-1',
        reason: 'error',
        detail: expect.stringContaining('PROBE_FAILED: access log rotated away'),
      }),
    ]);
    expect(result.outcome).toBe('halted');
    expect(world.weightEvents.some((e) => e.serverId === 'i-node-2')).toBe(false);
  });
});
