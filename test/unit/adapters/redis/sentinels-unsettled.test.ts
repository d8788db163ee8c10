/**
 * When a Sentinel failover must wait: every sentinel that answered names the master and sees
 * its replicas report themselves replicas (one judged down does not count). A sentinel that last
 * saw a replica report itself a master would turn the promoted replica back into a replica.
 * And when a resumed run may release writes its killed process paused: every sentinel answered,
 * names the master and has no failover of it under way.
 */
import { describe, expect, it } from 'vitest';
import {
  noFailoverUnderWay,
  type SentinelView,
  sentinelsUnsettled,
} from '#src/adapters/redis/sentinel-replies.js';

const MASTER = '10.0.0.13:6379';

function replica(ip: string, fields: Record<string, string> = {}): Map<string, string> {
  return new Map(
    Object.entries({
      ip,
      port: '6379',
      flags: 'slave',
      'role-reported': 'slave',
      'master-host': '10.0.0.13',
      'master-port': '6379',
      ...fields,
    }),
  );
}

function view(
  sentinel: string,
  replicas: Array<Map<string, string>>,
  named = MASTER,
): SentinelView {
  return { sentinel, named, replicas };
}

describe('sentinelsUnsettled', () => {
  it('is undefined when every sentinel names the master and sees replicas as replicas', () => {
    const replicas = [replica('10.0.0.11'), replica('10.0.0.12')];
    expect(
      sentinelsUnsettled([view('s1:26379', replicas), view('s2:26379', replicas)], MASTER),
    ).toBeUndefined();
  });

  it('waits while one sentinel last saw a restarted replica report itself a master', () => {
    const views = [
      view('s1:26379', [replica('10.0.0.11'), replica('10.0.0.12')]),
      view('s2:26379', [replica('10.0.0.11', { 'role-reported': 'master' }), replica('10.0.0.12')]),
    ];
    expect(sentinelsUnsettled(views, MASTER)).toBe(
      'sentinel s2:26379 last saw 10.0.0.11:6379 report itself master',
    );
  });

  it('waits while a sentinel names another master', () => {
    const views = [view('s1:26379', [replica('10.0.0.12')], '10.0.0.11:6379')];
    expect(sentinelsUnsettled(views, MASTER)).toBe('sentinel s1:26379 names 10.0.0.11:6379 master');
  });

  it('does not wait for a replica the sentinels judge down', () => {
    const down = replica('10.0.0.11', { 'role-reported': 'master', flags: 'slave,s_down' });
    expect(sentinelsUnsettled([view('s1:26379', [down, replica('10.0.0.12')])], MASTER)).toBe(
      undefined,
    );
  });
});

describe('noFailoverUnderWay', () => {
  const master = (flags: string, ip = '10.0.0.13') =>
    new Map(Object.entries({ name: 'main', ip, port: '6379', flags }));

  it('is true when every sentinel names the master and none is failing it over', () => {
    expect(noFailoverUnderWay([master('master'), master('master')], MASTER)).toBe(true);
  });

  it('is false while one sentinel has a failover of it under way', () => {
    expect(
      noFailoverUnderWay([master('master'), master('master,failover_in_progress')], MASTER),
    ).toBe(false);
  });

  it('is false when a sentinel names another master, or one did not answer', () => {
    expect(noFailoverUnderWay([master('master'), master('master', '10.0.0.11')], MASTER)).toBe(
      false,
    );
    expect(noFailoverUnderWay([master('master'), undefined], MASTER)).toBe(false);
    expect(noFailoverUnderWay([], MASTER)).toBe(false);
  });
});
