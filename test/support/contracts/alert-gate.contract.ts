/**
 * The AlertGateChecker port's contract: what the engine may rely on, whichever implementation it
 * asks (Prometheus over HTTP, the in-memory world). It never rejects; a blocked verdict names why;
 * an open one has nothing in `matches`; a system that cannot be asked is a blocked verdict.
 */
import { describe, expect, it } from 'vitest';
import type { AlertGateChecker, AlertGateQuery } from '#src/ports/index.js';

export interface AlertGateSubject {
  checker: AlertGateChecker;
  query: AlertGateQuery;
  /** From now on one alert named `alertname` fires; `quiet()` ends it; `unreachable()` cuts the line. */
  firing(alertname: string): void;
  quiet(): void;
  unreachable(): void;
}

export function alertGateContract(name: string, subject: () => AlertGateSubject): void {
  describe(`AlertGateChecker contract: ${name}`, () => {
    it('is open with no matches while nothing fires', async () => {
      const s = subject();
      s.quiet();
      const verdict = await s.checker.check(s.query);
      expect(verdict.blocked).toBe(false);
      expect(verdict.matches).toEqual([]);
      expect(verdict.reason).not.toBe('');
    });

    it('is blocked while an alert fires, naming it in the reason and in matches', async () => {
      const s = subject();
      s.firing('ContractAlert');
      const verdict = await s.checker.check(s.query);
      expect(verdict.blocked).toBe(true);
      expect(verdict.reason).toContain('ContractAlert');
      expect(verdict.matches.map((m) => m.labels.alertname)).toEqual(['ContractAlert']);
    });

    it('resolves blocked, never rejects, when it cannot be asked (fails closed)', async () => {
      const s = subject();
      s.unreachable();
      const verdict = await s.checker.check(s.query);
      expect(verdict.blocked).toBe(true);
      expect(verdict.matches).toEqual([]);
      expect(verdict.reason).toMatch(/^cannot evaluate the alert gate \(fails closed\): /);
    });
  });
}
