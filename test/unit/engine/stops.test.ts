/**
 * Stopping a run: only a stop request counts as one. An error during an abort is a failure like
 * any other and gets the failure policy (review finding 7).
 */
import { describe, expect, it } from 'vitest';
import { DrainctlError } from '#src/errors/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { resumeModel, runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

function entries(world: InMemoryWorld): Array<Record<string, unknown> & { seq: number }> {
  return world.journalLines.map((l) => JSON.parse(l));
}

/**
 * Until `condition` holds, looking after every turn of the event loop: the AutoClock moves time
 * on a turn at a time, so a check every few milliseconds (vi.waitFor) would see the run far past
 * the moment the test means to act at.
 */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !condition(); i += 1) {
    await new Promise((r) => setImmediate(r));
  }
  if (!condition()) throw new Error('never happened');
}

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

describe('resuming a run that was stopping', () => {
  const plan = (w: InMemoryWorld) => buildPlan(w, { minHealthy: 1, maxUnavailable: 1 });
  const drained = (w: InMemoryWorld) => () =>
    w.journalLines.some((l) => l.includes('"type":"result"') && l.includes('node.drain-i-node-1'));

  /** Ctrl-C once web-1's drain is confirmed; the process dies after entry `crashAfterSeq`. */
  async function abortDuringDrain(world: InMemoryWorld, crashAfterSeq?: number) {
    const controller = new AbortController();
    const running = runModel(world, plan(world), {
      signal: controller.signal,
      ...(crashAfterSeq === undefined ? {} : { crashAfterSeq }),
    });
    await until(drained(world));
    controller.abort(new Error('received SIGINT'));
    return running;
  }

  it('an abort journaled before the process died is finished as an abort: the drained node goes back, unpatched', async () => {
    const clean = new InMemoryWorld(fleet(2));
    const uninterrupted = await abortDuringDrain(clean);
    if (uninterrupted === 'crashed') throw new Error('crashed');
    expect(uninterrupted.report.nodes.map((n) => n.state)).toEqual(['rolled-back', 'pending']);
    const journaled = entries(clean);
    const abortSeq = journaled.find((e) => e.type === 'abort-requested')?.seq ?? 0;
    const haltSeq = journaled.find((e) => e.type === 'halt')?.seq ?? 0;
    for (const crashAfter of [abortSeq, haltSeq]) {
      const world = new InMemoryWorld(fleet(2));
      expect(await abortDuringDrain(world, crashAfter)).toBe('crashed');
      const resumed = await resumeModel(world);
      if (resumed === 'crashed') throw new Error('crashed');
      expect({ crashAfter, rebooted: world.hosts.get('i-node-1')?.rebooted }).toEqual({
        crashAfter,
        rebooted: false,
      });
      expect(world.endState()).toEqual(clean.endState());
      expect(resumed.report.nodes.map((n) => n.state)).toEqual(['rolled-back', 'pending']);
      expect(resumed.outcome).toBe('halted');
    }
  });
});
