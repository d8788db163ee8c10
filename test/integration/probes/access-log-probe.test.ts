import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DrainProgress, TrafficFilter } from '#src/ports/index.js';
import {
  type AccessLogProbe,
  type AccessLogProbeOptions,
  openAccessLogProbe,
} from '#src/probes/access-log/access-log-probe.js';
import type { AccessLogProgress } from '#src/probes/access-log/drain-wait.js';
import { combinedLine } from '#support/access-log-lines.js';
import { ManualClock } from '#support/manual-clock.js';
import { advance, settled, until, untilAsleep } from '#support/waits.js';

const filter: TrafficFilter = {
  ignoreCidrs: ['100.64.0.0/10'],
  ignorePaths: [],
  ignoreUserAgents: [],
  clientAddress: 'remote_addr',
};

let dir: string;
let log: string;
let probe: AccessLogProbe | undefined;
let clock: ManualClock;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'drainctl-probe-'));
  log = join(dir, 'access.log');
  clock = new ManualClock();
});
afterEach(async () => {
  await probe?.close();
  probe = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function open(
  history: string | null = combinedLine('198.51.100.1').repeat(3),
  options: Pick<AccessLogProbeOptions, 'file' | 'onEvent'> = {},
) {
  if (history !== null) writeFileSync(log, history);
  probe = await openAccessLogProbe({
    source: { type: 'local', path: log },
    format: { kind: 'combined' },
    filter,
    clock,
    ...options,
  });
  return probe;
}

describe('access-log probe: the drain decision', () => {
  it('drained after exactly quietSeconds without a real request; health checks do not count', async () => {
    const p = await open();
    const progress: DrainProgress[] = [];
    const done = p.waitForDrain({
      quietSeconds: 10,
      timeoutSeconds: 60,
      onProgress: (e) => progress.push(e),
    });
    await advance(clock, 3000, done);
    appendFileSync(log, combinedLine('203.0.113.9'));
    await advance(clock, 2000, done);
    // Only health checks from now on.
    for (let i = 0; i < 8; i++) {
      appendFileSync(log, combinedLine('100.64.0.7', '/health'));
      await advance(clock, 1000, done);
    }
    expect(clock.pendingSleeps).toBe(1);
    await advance(clock, 1000, done);
    const result = await done;
    expect(result.outcome).toBe('drained');
    // Last real request seen at t=4 s (the poll after it was written); quiet from there: 10 s.
    expect(result.waitedSeconds).toBe(14);
    expect(result.realRequests).toBe(1);
    expect(result.final.ignoredRequests).toBe(8);
    expect(result.lastRealRequestAt).toBe(
      new Date(Date.parse('2026-11-21T02:00:04Z')).toISOString(),
    );
    // One progress event per second, quiet counting up after the last real request.
    expect(progress.length).toBe(15);
    expect(progress.map((e) => e.quietSeconds).slice(-3)).toEqual([8, 9, 10]);
    expect(progress[4]?.requestsPerSecond).toBeGreaterThan(0);
  });

  it('history written before the probe opened never counts', async () => {
    const p = await open(combinedLine('198.51.100.1').repeat(1000));
    const done = p.waitForDrain({ quietSeconds: 2, timeoutSeconds: 60 });
    await advance(clock, 2000, done);
    const result = await done;
    expect(result).toMatchObject({ outcome: 'drained', waitedSeconds: 2, realRequests: 0 });
  });

  it('times out while real traffic keeps arriving, with the counts so far', async () => {
    const p = await open();
    const progress: AccessLogProgress[] = [];
    const done = p.waitForDrain({
      quietSeconds: 5,
      timeoutSeconds: 8,
      onProgress: (e) => progress.push(e as AccessLogProgress),
    });
    for (let i = 0; i < 8; i++) {
      appendFileSync(log, combinedLine('203.0.113.9', '/keepalive?token=secret'));
      await advance(clock, 1000, done);
    }
    const result = await done;
    expect(result.outcome).toBe('timeout');
    expect(result.waitedSeconds).toBe(8);
    expect(result.realRequests).toBe(8);
    // The live view shows what is still coming in, without query strings.
    expect(progress.at(-1)?.lastRequest).toEqual({
      client: '203.0.113.9',
      method: 'GET',
      path: '/keepalive',
      status: 200,
    });
  });

  it('does not conclude while the log cannot be read', async () => {
    const p = await open(null);
    const done = p.waitForDrain({ quietSeconds: 3, timeoutSeconds: 5 });
    await advance(clock, 5000, done);
    const result = await done;
    expect(result.outcome).toBe('timeout');
    expect((result.final as AccessLogProgress).sourceAvailable).toBe(false);
  });

  it('quiet runs only from the moment the log appeared', async () => {
    const events: string[] = [];
    const p = await open(null, { onEvent: (e) => events.push(e.type) });
    const done = p.waitForDrain({ quietSeconds: 3, timeoutSeconds: 30 });
    await advance(clock, 4000, done);
    writeFileSync(log, combinedLine('100.64.0.1'));
    await until(() => events.includes('appeared')); // opened when created, at t = 4 s
    await advance(clock, 3000, done);
    const result = await done;
    expect(result.outcome).toBe('drained');
    expect(result.waitedSeconds).toBe(7);
  });

  it('polling only, a log that appeared between two polls is read from the next: quiet counts from there', async () => {
    const p = await open(null, { file: { watch: false } });
    const done = p.waitForDrain({ quietSeconds: 3, timeoutSeconds: 30 });
    await advance(clock, 4000, done); // the poll at t = 4 s finds no log
    writeFileSync(log, combinedLine('100.64.0.1'));
    await advance(clock, 3000, done); // the poll at t = 5 s opens it
    expect(await settled(done)).toBe(false);
    await advance(clock, 1000, done);
    expect(await done).toMatchObject({ outcome: 'drained', waitedSeconds: 8 });
  });

  it('a real request is seen when it is written, not at the next poll: drained quietSeconds after it', async () => {
    const p = await open();
    const done = p.waitForDrain({ quietSeconds: 10, timeoutSeconds: 60 });
    await advance(clock, 3500, done, 500); // the next poll is due at t = 4 s
    appendFileSync(log, combinedLine('203.0.113.9'));
    await until(() => p.tally.real === 1); // the clock stands still at t = 3.5 s
    await advance(clock, 9999, done);
    expect(await settled(done)).toBe(false);
    await advance(clock, 1, done);
    // Quiet from t = 3.5 s, decided at t = 13.5 s: neither at the poll grid's 14 s nor later.
    expect(await done).toMatchObject({ outcome: 'drained', waitedSeconds: 13.5, realRequests: 1 });
  });

  it('lines the format does not fit count as real: a wrong format cannot end a drain early', async () => {
    const p = await open();
    const done = p.waitForDrain({ quietSeconds: 2, timeoutSeconds: 4 });
    for (let i = 0; i < 4; i++) {
      appendFileSync(log, '{"this":"is json, not combined"}\n');
      await advance(clock, 1000, done);
    }
    const result = await done;
    expect(result.outcome).toBe('timeout');
    expect((result.final as AccessLogProgress).unparsedLines).toBe(4);
  });

  it('an over-long request line is still a request: cut, counted, not dropped', async () => {
    const p = await open();
    const done = p.waitForDrain({ quietSeconds: 2, timeoutSeconds: 60 });
    await untilAsleep(clock, done);
    appendFileSync(log, combinedLine('198.51.100.3', `/search?q=${'a'.repeat(100_000)}`));
    await advance(clock, 1000, done);
    await advance(clock, 2000, done);
    const result = await done;
    expect(result.realRequests).toBe(1);
    expect((result.final as AccessLogProgress).truncatedLines).toBe(1);
    expect(result.waitedSeconds).toBe(3);
  });

  it('an abort signal ends the wait with the signal reason', async () => {
    const p = await open();
    const controller = new AbortController();
    const done = p.waitForDrain({
      quietSeconds: 30,
      timeoutSeconds: 60,
      signal: controller.signal,
    });
    await untilAsleep(clock, done);
    controller.abort(new Error('operator pressed ^C'));
    await expect(done).rejects.toThrow('operator pressed ^C');
  });
});

describe('access-log probe: judging again after a drained decision (continueQuiet)', () => {
  /** Drained after 2 s of quiet; the probe then reads on while the node is "patched". */
  async function drainedProbe() {
    const p = await open();
    const done = p.waitForDrain({ quietSeconds: 2, timeoutSeconds: 60 });
    await advance(clock, 2000, done);
    expect((await done).outcome).toBe('drained');
    return p;
  }

  it('no real request since: drained at once, however long the time in between', async () => {
    const p = await drainedProbe();
    appendFileSync(log, combinedLine('100.64.0.7', '/health'));
    await advance(clock, 60_000);
    const again = await p.waitForDrain({
      quietSeconds: 2,
      timeoutSeconds: 10,
      continueQuiet: true,
    });
    expect(again).toMatchObject({ outcome: 'drained', waitedSeconds: 0, realRequests: 0 });
  });

  it('requests in between are read as they come: quiet counts from the last one, not from the new wait', async () => {
    const p = await drainedProbe(); // t = 2 s
    await advance(clock, 5000);
    appendFileSync(log, combinedLine('203.0.113.9').repeat(3)); // a client with a cached DNS answer
    await advance(clock, 1000); // read at t = 8 s, between the waits
    await advance(clock, 1000);
    const again = p.waitForDrain({ quietSeconds: 3, timeoutSeconds: 10, continueQuiet: true });
    await advance(clock, 3000, again);
    // Quiet since t = 8 s: drained at t = 11 s, 2 s into the new wait (not 3 s after its start).
    expect(await again).toMatchObject({ outcome: 'drained', waitedSeconds: 2, realRequests: 3 });
  });

  it('traffic that goes on times out, counted from the start of the new wait', async () => {
    const p = await drainedProbe();
    const again = p.waitForDrain({ quietSeconds: 2, timeoutSeconds: 4, continueQuiet: true });
    for (let i = 0; i < 4; i++) {
      appendFileSync(log, combinedLine('203.0.113.9'));
      await advance(clock, 1000, again);
    }
    expect(await again).toMatchObject({ outcome: 'timeout', waitedSeconds: 4, realRequests: 4 });
  });

  it('a new wait without continueQuiet starts its quiet period over', async () => {
    const p = await drainedProbe();
    await advance(clock, 30_000);
    const again = p.waitForDrain({ quietSeconds: 2, timeoutSeconds: 10 });
    await advance(clock, 2000, again);
    expect(await again).toMatchObject({ outcome: 'drained', waitedSeconds: 2 });
  });

  it('a fresh probe has no decision to continue: a whole quiet period', async () => {
    const p = await open();
    const done = p.waitForDrain({ quietSeconds: 2, timeoutSeconds: 10, continueQuiet: true });
    await advance(clock, 2000, done);
    expect(await done).toMatchObject({ outcome: 'drained', waitedSeconds: 2 });
  });

  it('close stops the reading between waits', async () => {
    const p = await drainedProbe();
    await untilAsleep(clock);
    expect(clock.pendingSleeps).toBe(1);
    await p.close();
    expect(clock.pendingSleeps).toBe(0);
  });
});

describe('access-log probe: 5xx rate while restoring', () => {
  it('counts real requests and 5xx answers inside the window only', async () => {
    const p = await open(combinedLine('198.51.100.1', '/', 500).repeat(5));
    appendFileSync(log, combinedLine('198.51.100.1', '/', 502)); // before the window: not counted
    const done = p.measureErrorRate({ seconds: 3 });
    await untilAsleep(clock, done);
    appendFileSync(
      log,
      [
        combinedLine('198.51.100.1', '/', 200),
        combinedLine('198.51.100.2', '/', 503),
        combinedLine('198.51.100.3', '/', 404),
        combinedLine('100.64.0.1', '/health', 500), // a failing health check is not traffic
      ].join(''),
    );
    await advance(clock, 3000, done);
    const sample = await done;
    expect(sample).toEqual({ seconds: 3, requests: 3, errors5xx: 1, rate: 1 / 3 });
  });

  it('stopWhen ends the window at the first read that meets it, with everything seen so far', async () => {
    const p = await open();
    const seen: number[] = [];
    const done = p.measureErrorRate({
      seconds: 30,
      stopWhen: (soFar) => {
        seen.push(soFar.errors5xx);
        return soFar.errors5xx >= 2;
      },
    });
    await untilAsleep(clock, done);
    appendFileSync(log, combinedLine('198.51.100.1', '/', 200));
    await advance(clock, 1000, done);
    appendFileSync(log, combinedLine('198.51.100.2', '/', 503).repeat(2));
    await advance(clock, 1000, done);
    const sample = await done;
    expect(sample).toEqual({ seconds: 2, requests: 3, errors5xx: 2, rate: 2 / 3 });
    expect(seen).toEqual([0, 2]);
  });

  it('no requests is a rate of 0', async () => {
    const p = await open();
    const done = p.measureErrorRate({ seconds: 2 });
    await advance(clock, 2000, done);
    expect(await done).toEqual({ seconds: 2, requests: 0, errors5xx: 0, rate: 0 });
  });
});

describe('access-log probe: failing closed', () => {
  it('a 5xx measurement with the log unreadable for the whole window is an error, not a rate of 0', async () => {
    const p = await open(null);
    const done = p.measureErrorRate({ seconds: 2 });
    await advance(clock, 2000, done);
    await expect(done).rejects.toMatchObject({ code: 'PROBE_BLIND' });
  });

  it('a path that cannot be read as a file is a PROBE_FAILED error naming it', async () => {
    await expect(
      openAccessLogProbe({
        source: { type: 'local', path: dir },
        format: { kind: 'combined' },
        filter,
        clock,
      }).then((p) => p.waitForDrain({ quietSeconds: 1, timeoutSeconds: 2 })),
    ).rejects.toMatchObject({ code: 'PROBE_FAILED', message: expect.stringContaining(dir) });
  });
});

describe('access-log probe: configuration', () => {
  it('a layer-7 filter on a format without X-Forwarded-For is refused', async () => {
    writeFileSync(log, '');
    await expect(
      openAccessLogProbe({
        source: { type: 'local', path: log },
        format: { kind: 'combined' },
        filter: { ...filter, clientAddress: 'x_forwarded_for' },
        clock,
      }),
    ).rejects.toThrow(/\$http_x_forwarded_for/);
  });

  it('a bad CIDR is invalid input', async () => {
    await expect(
      openAccessLogProbe({
        source: { type: 'local', path: log },
        format: { kind: 'combined' },
        filter: { ...filter, ignoreCidrs: ['100.64.0.0/99'] },
        clock,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
