import { describe, expect, it } from 'vitest';
import { MAX_REASON_LENGTH } from '#src/alert-gate/alert-reason.js';
import { describeMatches, describeSeries } from '#src/alert-gate/index.js';

describe('what a blocked alert gate says', () => {
  it('names an alert by alertname and its labels (sorted), a plain series by its metric', () => {
    expect(
      describeSeries({ __name__: 'ALERTS', alertname: 'A', alertstate: 'firing', z: '1', b: '2' }),
    ).toBe('A{b="2", z="1"}');
    expect(describeSeries({ __name__: 'up', job: 'web' })).toBe('up{job="web"}');
  });

  it('cuts a long list to a readable length, saying how many more there are', () => {
    const matches = Array.from({ length: 40 }, (_, i) => ({
      labels: { alertname: `Alert${i}`, instance: `web-${i}.example.internal:9100` },
    }));
    const reason = describeMatches('ALERTS', matches);
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    expect(reason).toMatch(
      /^40 series match ALERTS: Alert0\{instance="web-0\.example\.internal:9100"\}, /,
    );
    expect(reason).toMatch(/, … and \d+ more$/);
    const one = describeMatches('ALERTS', [{ labels: { alertname: 'X', note: 'y'.repeat(1000) } }]);
    expect(one.length).toBe(MAX_REASON_LENGTH);
    expect(one.endsWith('…')).toBe(true);
  });
});
