/**
 * docs/design.md §4, invariants 1, 2, 3 and 4, as properties over random fleets, health states,
 * batchings (including unsafe ones) and fault sequences, against the in-memory model of the
 * ports. (Invariant 5, the lock, is in lock.property.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resumeModel, runModel } from '#support/in-memory-runs.js';
import {
  checkMinHealthy,
  checkRestoredOrReported,
  checkUnavailable,
  planFor,
  scenarioArb,
  worldFor,
} from './invariant-scenarios.js';

const RUNS = Number(process.env.DRAINCTL_PROPERTY_RUNS ?? 150);

describe('safety invariants over random fleets and faults', () => {
  it('1, 2, 3: minHealthy, maxUnavailable and groups hold; every changed weight is restored or reported', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const world = worldFor(s);
        const result = await runModel(world, planFor(world, s));
        if (result === 'crashed') throw new Error('no crash was asked for');
        expect(checkMinHealthy(world, s.minHealthy)).toEqual([]);
        expect(checkUnavailable(world, s)).toEqual([]);
        expect(checkRestoredOrReported(world, result.report)).toEqual([]);
        // A run that completed left nothing out and every node patched.
        if (result.outcome === 'completed') {
          expect(result.report.leftOut).toEqual([]);
          expect(result.report.nodes.every((n) => n.state === 'done')).toBe(true);
        }
        expect(['completed', 'halted']).toContain(result.outcome);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  it('4: after a crash at every journal boundary in turn, resume reaches the same end state', async () => {
    await fc.assert(
      // Without drift: someone else's change happens at a moment in time, and after a crash the
      // resumed run meets a world where it already happened — a different world, not a replay.
      fc.asyncProperty(
        scenarioArb.map((s) => ({ ...s, drift: null })),
        async (s) => {
          const clean = worldFor(s);
          const uninterrupted = await runModel(clean, planFor(clean, s));
          if (uninterrupted === 'crashed') throw new Error('no crash was asked for');
          const total = clean.journalLines.length;
          for (let crashAfter = 1; crashAfter < total; crashAfter += 1) {
            const world = worldFor(s);
            const first = await runModel(world, planFor(world, s), { crashAfterSeq: crashAfter });
            const final = first === 'crashed' ? await resumeModel(world) : first;
            if (final === 'crashed') throw new Error('resume crashed');
            const got = {
              crashAfter,
              end: world.endState(),
              outcome: final.outcome,
              leftOut: final.report.leftOut.map((n) => [n.id, n.reason]),
            };
            expect(got).toEqual({
              crashAfter,
              end: clean.endState(),
              outcome: uninterrupted.outcome,
              leftOut: uninterrupted.report.leftOut.map((n) => [n.id, n.reason]),
            });
            // The resumed run kept the invariants too.
            expect(checkMinHealthy(world, s.minHealthy)).toEqual([]);
            expect(checkUnavailable(world, s)).toEqual([]);
            expect(checkRestoredOrReported(world, final.report)).toEqual([]);
          }
        },
      ),
      { numRuns: Math.max(5, Math.ceil(RUNS / 10)) },
    );
  }, 600_000);
});
