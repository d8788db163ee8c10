/**
 * `rehearse` against an emulator that plays the real account: it mirrors it into a second
 * emulator, plans the same (same sha256), runs there under load, and the "real" emulator's state
 * is what it was, with not one mutating call reaching it. The fault kinds are in
 * rehearse-faults-*.test.ts, each file with its own account so they run side by side.
 */
import { describe, expect, it } from 'vitest';
import type { Emulator } from '#mocks/index.js';
import { rehearsalAccount } from '#support/rehearsal-account.js';

const account = rehearsalAccount();

/** What may change on its own in a world nobody touches: health verdicts being re-checked. */
function stable(state: ReturnType<Emulator['state']>) {
  return {
    ...state,
    loadBalancers: state.loadBalancers.map((lb) => ({
      ...lb,
      backends: lb.backends.map(({ health: _health, ...backend }) => backend),
    })),
  };
}

describe('drainctl rehearse', () => {
  it('mirrors the account, plans the same sha256, holds every promise, and only reads the account', async () => {
    const before = stable(account.real().state());
    // 4×: the 5 s quiet period stays over a second of real time, so a pause of the clients on a
    // loaded machine is not taken for their departure.
    const report = await account.rehearse([], { compression: 4 });

    expect(report.differences).toEqual({ count: 0, named: [] });
    expect(report.samePlan).toBe(true);
    expect(report.mirrorPlanSha256).toBe(report.planSha256);
    expect(report.mirror).toMatchObject({
      instances: 3,
      loadBalancerId: account.loadBalancerId(),
      listeners: 1,
    });
    expect(report.run.outcome).toBe('completed');
    expect(report.run.nodes.map((node) => node.state)).toEqual(['done', 'done', 'done']);
    expect(report.load.total).toBeGreaterThan(0);
    expect(report.everyPromiseHeld, JSON.stringify([report.promises, report.load])).toBe(true);
    expect(report.timeCompression.factor).toBe(4);
    expect(report.timeCompression.compressedSeconds).toBeGreaterThan(
      report.timeCompression.realSeconds * 2,
    );

    expect(stable(account.real().state())).toEqual(before);
    const actions = [...new Set(account.recorder().calls.map((call) => call.action))];
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => !action.startsWith('Describe'))).toEqual([]);
  }, 120_000);
});
