/**
 * The TrafficProbe port's contract, for every probe (access log on a local file, access log over
 * SSH, connection count, the in-memory world's). Real time, short periods: each case takes a
 * second or two. Cases a probe cannot pass go in `skip` with the reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DrainProgress, TrafficProbe } from '#src/ports/index.js';

export type TrafficProbeCase = 'drained' | 'timeout' | 'history' | 'error-rate' | 'abort';

export interface TrafficProbeSubject {
  /** Open a fresh probe (at the end of the log: what came before must not count). */
  open(): Promise<TrafficProbe>;
  /** Produce real traffic until the returned function is called. */
  traffic(): () => void;
  /** Traffic that happened before the probe was opened (written to the log, or nothing). */
  history?(): void;
  /** Whether 5xx answers can be seen by this probe. */
  seesStatus: boolean;
}

export function trafficProbeContract(
  name: string,
  subject: () => TrafficProbeSubject,
  skip: Partial<Record<TrafficProbeCase, string>> = {},
): void {
  const test = (id: TrafficProbeCase, title: string, body: () => Promise<void>) => {
    const reason = skip[id];
    if (reason === undefined) it(title, body);
    else it.skip(`${title} (skipped: ${reason})`, body);
  };
  let opened: TrafficProbe[] = [];
  const open = async () => {
    const probe = await subject().open();
    opened.push(probe);
    return probe;
  };
  afterEach(async () => {
    for (const probe of opened) await probe.close();
    opened = [];
  });

  describe(`TrafficProbe contract: ${name}`, () => {
    test(
      'drained',
      'drained after quietSeconds without traffic, with progress on the way',
      async () => {
        const probe = await open();
        const progress: DrainProgress[] = [];
        const result = await probe.waitForDrain({
          quietSeconds: 0.5,
          timeoutSeconds: 10,
          onProgress: (p) => progress.push(p),
        });
        expect(result.outcome).toBe('drained');
        expect(result.waitedSeconds).toBeGreaterThanOrEqual(0.4);
        expect(result.realRequests).toBe(0);
        expect(progress.length).toBeGreaterThan(0);
        expect(progress.at(-1)?.quietSeconds).toBeGreaterThanOrEqual(0.4);
      },
    );

    test('history', 'what happened before the probe was opened does not count', async () => {
      subject().history?.();
      const probe = await open();
      const result = await probe.waitForDrain({ quietSeconds: 0.5, timeoutSeconds: 10 });
      expect(result).toMatchObject({ outcome: 'drained', realRequests: 0 });
    });

    test('timeout', 'timeout while real traffic keeps coming', async () => {
      const probe = await open();
      const stop = subject().traffic();
      try {
        const result = await probe.waitForDrain({ quietSeconds: 1, timeoutSeconds: 1.5 });
        expect(result.outcome).toBe('timeout');
        expect(result.final.quietSeconds).toBeLessThan(1);
        expect(result.waitedSeconds).toBeGreaterThanOrEqual(1.4);
      } finally {
        stop();
      }
    });

    test(
      'error-rate',
      'measureErrorRate reports a window of real requests and their 5xx share',
      async () => {
        const probe = await open();
        const stop = subject().traffic();
        try {
          const sample = await probe.measureErrorRate({ seconds: 0.6 });
          expect(sample.seconds).toBeGreaterThanOrEqual(0.5);
          expect(sample.rate).toBeGreaterThanOrEqual(0);
          expect(sample.rate).toBeLessThanOrEqual(1);
          if (subject().seesStatus) {
            expect(sample.requests).toBeGreaterThan(0);
            expect(sample.errors5xx).toBeGreaterThan(0);
            expect(sample.rate).toBeCloseTo(sample.errors5xx / sample.requests);
          } else {
            expect(sample).toMatchObject({ requests: 0, errors5xx: 0, rate: 0 });
          }
        } finally {
          stop();
        }
      },
    );

    test('abort', 'an abort signal ends the wait', async () => {
      const probe = await open();
      const controller = new AbortController();
      const waiting = probe.waitForDrain({
        quietSeconds: 30,
        timeoutSeconds: 60,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(new Error('stop')), 200);
      await expect(waiting).rejects.toThrow('stop');
    });
  });
}
