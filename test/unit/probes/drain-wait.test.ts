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
import { advance, settled, untilAsleep } from '#support/waits.js';

function fakeSource(clock: ManualClock) {
  const state = {
    available: true,
    availableSince: 0,
    failNextPoll: undefined as Error | undefined,
    /** The log can be read again from now on (the SSH tail reconnected). */
    readable() {
      state.available = true;
      state.availableSince = clock.monotonic();
    },
  };
  const source: DrainSource = {
    clock,
    tally: new TrafficTally(),
    tickMs: 1000,
    memory: newDrainMemory(),
    available: () => state.available,
    availableSince: () => state.availableSince,
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
    state.readable();
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

describe('a log that becomes readable again between two polls', () => {
  it('quiet counts from the moment it did, not from the last poll that found it blind', async () => {
    const clock = new ManualClock();
    const { source, state } = fakeSource(clock);
    state.available = false;
    const done = waitForDrain(source, { quietSeconds: 2, timeoutSeconds: 60 });
    await advance(clock, 1500, done, 500); // found blind by the polls at 0 and 1 s
    state.readable(); // the SSH tail reconnected at t = 1.5 s, between two polls
    await advance(clock, 1500, done, 500);
    expect(await settled(done)).toBe(false);
    await advance(clock, 500, done);
    expect(await done).toMatchObject({ outcome: 'drained', waitedSeconds: 3.5 });
  });
});
