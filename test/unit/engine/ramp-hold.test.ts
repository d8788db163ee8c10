/**
 * The ramp judges 5xx continuously: errors that start in the middle of a step's hold pull the
 * node back to 0 within about a second, not at the end of the hold. Judged on the step's whole
 * tally, the documented budget (max5xxRate with at least minRequests) is unchanged. A hold with
 * too few requests watches on for them, and still too few never passes silently.
 */
import { describe, expect, it } from 'vitest';
import {
  holdAndJudge,
  inconclusiveNote,
  judge,
  rampDecision,
  rampRule,
} from '#src/engine/steps/ramp-hold.js';
import { DrainctlError } from '#src/errors/index.js';
import type { ErrorRateSample, TrafficProbe } from '#src/ports/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, noFaults } from '#support/in-memory-world.js';
import { ManualClock } from '#support/manual-clock.js';

/**
 * `perSecond` requests a second (10 unless told), read once a second like the access-log probe;
 * from `errorsFromMs` on, every one of them a 5xx; before `blindUntilMs` the log cannot be read.
 */
function fakeProbe(
  clock: ManualClock,
  options: { errorsFromMs?: number; blindUntilMs?: number; perSecond?: number } = {},
): TrafficProbe {
  return {
    waitForDrain: () => Promise.reject(new Error('not used')),
    async measureErrorRate({ seconds, stopWhen }): Promise<ErrorRateSample> {
      const total: ErrorRateSample = { seconds: 0, requests: 0, errors5xx: 0, rate: 0 };
      let seen = false;
      while (total.seconds < seconds) {
        const start = clock.monotonic();
        await clock.sleep(1000);
        total.seconds += 1;
        if (start < (options.blindUntilMs ?? -1)) continue;
        seen = true;
        const erroring = options.errorsFromMs !== undefined && start >= options.errorsFromMs;
        const requests = options.perSecond ?? 10;
        total.requests += requests;
        total.errors5xx += erroring ? requests : 0;
        total.rate = total.errors5xx / total.requests;
        if (stopWhen?.({ ...total }) === true) break;
      }
      if (!seen) throw new DrainctlError('PROBE_BLIND', 'the access log could not be read');
      return total;
    },
    close: async () => {},
  };
}

async function settle<T>(
  clock: ManualClock,
  work: Promise<T>,
): Promise<{ value: T; atMs: number }> {
  let done: { value: T; atMs: number } | undefined;
  let failure: unknown;
  work.then(
    (value) => {
      done = { value, atMs: clock.monotonic() };
    },
    (error: unknown) => {
      failure = error;
    },
  );
  for (let i = 0; i < 1000 && done === undefined && failure === undefined; i += 1) {
    await clock.advance(100);
  }
  if (failure !== undefined) throw failure;
  if (done === undefined) throw new Error('the hold never ended');
  return done;
}

const BUDGET = { holdSeconds: 30, max5xxRate: 0.01, minRequests: 20, extendSeconds: 60 };

describe('holding a ramp step', () => {
  it('errors starting 12 s into a 30 s hold end it within a second of them', async () => {
    const clock = new ManualClock();
    const start = clock.monotonic();
    const { value, atMs } = await settle(
      clock,
      holdAndJudge(clock, fakeProbe(clock, { errorsFromMs: start + 12_000 }), BUDGET),
    );
    expect(value.bad).toBe(true);
    expect(atMs - start).toBeLessThanOrEqual(13_000);
    expect(value.sample).toMatchObject({ requests: 130, errors5xx: 10, seconds: 13 });
  });

  it('a clean hold runs its full length and is judged on everything it saw', async () => {
    const clock = new ManualClock();
    const start = clock.monotonic();
    const { value, atMs } = await settle(clock, holdAndJudge(clock, fakeProbe(clock), BUDGET));
    expect(value).toMatchObject({ bad: false, judged: true });
    expect(value.sample).toMatchObject({ requests: 300, errors5xx: 0, seconds: 30 });
    expect(atMs - start).toBe(30_000);
  });

  it('too few requests at the end of the hold: it watches on until it has them, then judges them', async () => {
    const clock = new ManualClock();
    const start = clock.monotonic();
    // 10 a second, all 5xx: 10 after the 1 s hold (too few to judge), 20 a second later.
    const { value, atMs } = await settle(
      clock,
      holdAndJudge(clock, fakeProbe(clock, { errorsFromMs: 0 }), { ...BUDGET, holdSeconds: 1 }),
    );
    expect(value).toMatchObject({ bad: true, judged: true, inconclusive: false });
    expect(value.sample).toMatchObject({ requests: 20, errors5xx: 20, seconds: 2 });
    expect(atMs - start).toBe(2_000);
    expect(rampDecision(value, 'continue')).toBe('bad');
  });

  it('a clean hold that needed the extension ends as soon as it has minRequests', async () => {
    const clock = new ManualClock();
    const start = clock.monotonic();
    const { value, atMs } = await settle(
      clock,
      holdAndJudge(clock, fakeProbe(clock, { perSecond: 1 }), { ...BUDGET, holdSeconds: 5 }),
    );
    expect(value).toMatchObject({ bad: false, judged: true, inconclusive: false });
    expect(value.sample).toMatchObject({ requests: 20, seconds: 20 });
    expect(atMs - start).toBe(20_000);
    expect(rampDecision(value, 'halt')).toBe('go-on');
  });

  it('still too few at the end of the extension: inconclusive, and the policy decides — never a silent pass', async () => {
    const clock = new ManualClock();
    const start = clock.monotonic();
    const budget = { ...BUDGET, holdSeconds: 5, extendSeconds: 10 };
    const { value, atMs } = await settle(
      clock,
      holdAndJudge(clock, fakeProbe(clock, { perSecond: 1, errorsFromMs: 0 }), budget),
    );
    expect(atMs - start).toBe(15_000);
    expect(value).toMatchObject({ bad: false, judged: false, inconclusive: true });
    expect(value.sample).toMatchObject({ requests: 15, errors5xx: 15 });
    expect(rampDecision(value, 'halt')).toBe('unproven');
    expect(rampDecision(value, 'continue')).toBe('go-on-unproven');
    expect(inconclusiveNote(value, budget, 'halt')).toBe(
      'fewer than 20 requests in 15s (hold 5s + up to 10s more): inconclusive, not proven, not taken further (onInconclusive: halt)',
    );
    expect(inconclusiveNote(value, budget, 'continue')).toContain(
      'inconclusive, goes on unproven (onInconclusive: continue)',
    );
  });

  it('nothing watched is not inconclusive: no probe, or a hold of 0 s, as the plan says', () => {
    expect(judge(undefined, BUDGET)).toMatchObject({ inconclusive: false, bad: false });
    const none = { seconds: 0, requests: 0, errors5xx: 0, rate: 0 };
    const held0 = judge(none, { ...BUDGET, holdSeconds: 0 });
    expect(held0.inconclusive).toBe(false);
    expect(rampDecision(held0, 'halt')).toBe('go-on');
    expect(judge(none, BUDGET).inconclusive).toBe(true);
    // minRequests 0 judges every hold, even an empty one.
    expect(judge(none, { ...BUDGET, minRequests: 0 })).toMatchObject({
      judged: true,
      inconclusive: false,
    });
  });

  it('a plan written before the extension and the policy existed is read the safe way', () => {
    expect(rampRule({ holdSeconds: 10, max5xxRate: 0.01, minRequests: 5 })).toEqual({
      budget: { holdSeconds: 10, max5xxRate: 0.01, minRequests: 5, extendSeconds: 0 },
      policy: 'halt',
    });
  });

  it('seconds the log cannot be read add nothing; a hold blind from start to end fails', async () => {
    const clock = new ManualClock();
    const start = clock.monotonic();
    const partly = await settle(
      clock,
      holdAndJudge(clock, fakeProbe(clock, { blindUntilMs: start + 5_000 }), BUDGET),
    );
    expect(partly.value.sample).toMatchObject({ requests: 250, seconds: 30 });
    const clock2 = new ManualClock();
    await expect(
      settle(
        clock2,
        holdAndJudge(clock2, fakeProbe(clock2, { blindUntilMs: Number.POSITIVE_INFINITY }), {
          ...BUDGET,
          holdSeconds: 3,
        }),
      ),
    ).rejects.toThrow('could not be read');
  });
});

describe('a bad ramp through the runner', () => {
  it('the node is pulled back to 0 about a second after its ramp step began, not at the end of the hold', async () => {
    const faults = noFaults();
    faults.errorsAfterBoot.add('i-node-2');
    const world = new InMemoryWorld(fleet(3), faults);
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const result = await runModel(world, plan);
    if (result === 'crashed') throw new Error('crashed');
    const events = world.weightEvents.filter((e) => e.serverId === 'i-node-2');
    expect(events.map((e) => e.to)).toEqual([0, 10, 0]);
    const [, rampStep, pullBack] = events;
    // The plan holds each step 10 s; the errors are there from the first second.
    expect((pullBack?.at ?? 0) - (rampStep?.at ?? 0)).toBeLessThanOrEqual(1_000);
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({
        id: 'i-node-2',
        reason: 'unhealthy',
        detail: expect.stringContaining('after 1s of the 10s hold'),
      }),
    ]);
  });
});
