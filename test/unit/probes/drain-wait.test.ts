/**
 * The drain decision when a wait continues an earlier `drained` one, on a source the test
 * controls: the time between the waits is judged from what was read in between — a spell
 * without the log restarts the quiet period, a read that failed is thrown by the next wait.
 */
import { describe, expect, it } from 'vitest';
import {
  type DrainSource,
  newDrainMemory,
  readBetweenWaits,
  waitForDrain,
} from '#src/probes/access-log/drain-wait.js';
import { TrafficTally } from '#src/probes/access-log/traffic-tally.js';
import { ManualClock } from '#support/manual-clock.js';
import { advance, untilAsleep } from '#support/waits.js';

function fakeSource(clock: ManualClock) {
  const state = { available: true, failNextPoll: undefined as Error | undefined };
  const source: DrainSource = {
    clock,
    tally: new TrafficTally(),
    tickMs: 1000,
    memory: newDrainMemory(),
    available: () => state.available,
    lastRequest: () => undefined,
    poll: async () => {
      const failure = state.failNextPoll;
      state.failNextPoll = undefined;
      if (failure) throw failure;
    },
  };
  return { source, state };
}

async function drained(clock: ManualClock, source: DrainSource) {
  const done = waitForDrain(source, { quietSeconds: 2, timeoutSeconds: 60 });
  await advance(clock, 2000, done);
  expect((await done).outcome).toBe('drained');
}

describe('a wait that continues a drained decision', () => {
  it('a spell without the log in between: quiet counts again from when it could be read', async () => {
    const clock = new ManualClock();
    const { source, state } = fakeSource(clock);
    await drained(clock, source); // t = 2 s
    const between = readBetweenWaits(source);
    await advance(clock, 3000);
    state.available = false; // the SSH tail dropped while the node was patched
    await advance(clock, 2000); // last seen blind at t = 7 s
    state.available = true;
    await advance(clock, 1000);
    await between.stop();
    const again = waitForDrain(source, {
      quietSeconds: 3,
      timeoutSeconds: 10,
      continueQuiet: true,
    });
    await advance(clock, 3000, again);
    // Readable since t = 7 s: quiet 3 s at t = 10 s, 2 s into the wait that began at t = 8 s.
    expect(await again).toMatchObject({ outcome: 'drained', waitedSeconds: 2 });
  });

  it('nothing in between: drained at once', async () => {
    const clock = new ManualClock();
    const { source } = fakeSource(clock);
    await drained(clock, source);
    const between = readBetweenWaits(source);
    await advance(clock, 30_000);
    await between.stop();
    const again = await waitForDrain(source, {
      quietSeconds: 3,
      timeoutSeconds: 10,
      continueQuiet: true,
    });
    expect(again).toMatchObject({ outcome: 'drained', waitedSeconds: 0, realRequests: 0 });
  });

  it('a read that failed in between is thrown by the next wait, not taken for quiet', async () => {
    const clock = new ManualClock();
    const { source, state } = fakeSource(clock);
    await drained(clock, source);
    const between = readBetweenWaits(source);
    state.failNextPoll = new Error('cannot read /var/log/nginx/access.log: EACCES');
    await untilAsleep(clock);
    await clock.advance(1000); // the read fails; nothing reads after it
    await between.stop();
    await expect(
      waitForDrain(source, { quietSeconds: 3, timeoutSeconds: 10, continueQuiet: true }),
    ).rejects.toThrow('EACCES');
  });
});
