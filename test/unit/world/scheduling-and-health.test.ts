import { describe, expect, it } from 'vitest';
import {
  type HealthVerdict,
  nextVerdict,
  notYetChecked,
} from '#mocks/world/dataplane/health-state.js';
import { BackendScheduler } from '#mocks/world/dataplane/scheduler.js';
import { inSlbBlock, SlbAddresses } from '#mocks/world/dataplane/slb-addresses.js';

describe('BackendScheduler (smooth weighted round robin)', () => {
  const picks = (scheduler: BackendScheduler, weights: Record<string, number>, n: number) => {
    const out: string[] = [];
    const candidates = Object.entries(weights).map(([key, weight]) => ({ key, weight }));
    for (let i = 0; i < n; i++) out.push(scheduler.pick(candidates, '127.0.0.1')?.key ?? '-');
    return out;
  };

  it('interleaves in proportion to weight, as nginx does', () => {
    expect(picks(new BackendScheduler('wrr'), { a: 5, b: 1, c: 1 }, 7).join('')).toBe('aabacaa');
  });

  it('never picks weight 0, and gives nothing when all are 0', () => {
    expect(new Set(picks(new BackendScheduler('wrr'), { a: 100, b: 0 }, 50))).toEqual(
      new Set(['a']),
    );
    expect(picks(new BackendScheduler('wrr'), { a: 0 }, 1)).toEqual(['-']);
  });

  it('follows weight changes from the next pick', () => {
    const scheduler = new BackendScheduler('wrr');
    picks(scheduler, { a: 50, b: 50 }, 11);
    expect(new Set(picks(scheduler, { a: 0, b: 50 }, 10))).toEqual(new Set(['b']));
  });

  it('rr ignores the size of weights; sch keeps one client on one backend', () => {
    const counts = picks(new BackendScheduler('rr'), { a: 90, b: 10 }, 10).filter(
      (key) => key === 'a',
    ).length;
    expect(counts).toBe(5);
    const sch = new BackendScheduler('sch');
    const candidates = [
      { key: 'a', weight: 50 },
      { key: 'b', weight: 50 },
    ];
    const first = sch.pick(candidates, '10.0.0.7')?.key;
    for (let i = 0; i < 10; i++) expect(sch.pick(candidates, '10.0.0.7')?.key).toBe(first);
  });
});

describe('nextVerdict', () => {
  const thresholds = { healthyThreshold: 3, unhealthyThreshold: 2 };
  const run = (results: boolean[]) => {
    const trail: HealthVerdict[] = [];
    let verdict = notYetChecked;
    for (const passed of results) {
      verdict = nextVerdict(verdict, passed, thresholds);
      trail.push(verdict);
    }
    return trail;
  };

  it('decides on the first result, then needs the thresholds in a row', () => {
    expect(run([true, false, true, false, false, true, true, true]).map((v) => v.state)).toEqual([
      'normal',
      'normal',
      'normal',
      'normal',
      'abnormal',
      'abnormal',
      'abnormal',
      'normal',
    ]);
    expect(run([false]).map((v) => v.state)).toEqual(['abnormal']);
  });
});

describe('SlbAddresses', () => {
  it('hands out distinct 100.64.0.0/10 addresses even from a pinned random source', () => {
    const addresses = new SlbAddresses(() => 0.5);
    const all = [
      ...addresses.forHealthChecks(2),
      ...addresses.forForwarding(2),
      ...addresses.forHealthChecks(2),
    ];
    expect(new Set(all).size).toBe(6);
    for (const address of all) expect(inSlbBlock(address)).toBe(true);
    expect(addresses.isHealthChecker(all[0] as string)).toBe(true);
    expect(addresses.isHealthChecker(all[2] as string)).toBe(false);
    expect(new SlbAddresses(() => 0.9999999999).forForwarding(1)[0]).toMatch(
      /^100\.127\.255\.254$/,
    );
  });
});
