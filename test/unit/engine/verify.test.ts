import { describe, expect, it } from 'vitest';
import { rampLevels } from '#src/engine/steps/restore-step.js';
import { judge } from '#src/engine/steps/verify-step.js';

describe('verify expectations', () => {
  it.each([
    [{ kind: 'changed' }, 'new', 'old', true],
    [{ kind: 'changed' }, 'old', 'old', false],
    [{ kind: 'changed' }, 'new', undefined, false], // no baseline: fails closed
    [
      { kind: 'equals', value: '3.10.0-1160.119.1.el7.x86_64' },
      '3.10.0-1160.119.1.el7.x86_64',
      undefined,
      true,
    ],
    [{ kind: 'equals', value: 'x' }, 'y', undefined, false],
    [
      { kind: 'matches', pattern: '^3\\.10\\.0-1160\\.119' },
      '3.10.0-1160.119.1.el7.x86_64',
      undefined,
      true,
    ],
    [{ kind: 'matches', pattern: '^5\\.' }, '3.10.0', undefined, false],
    [{ kind: 'matches', pattern: '([' }, '3.10.0', undefined, false], // not a regex: fails
  ] as const)('%o: %s vs baseline %s → %s', (expectation, output, baseline, passes) => {
    expect(judge(expectation, output, baseline).ok).toBe(passes);
  });
});

describe('ramp levels', () => {
  it.each([
    [100, [10, 50, 100], [10, 50, 100]],
    [30, [10, 50, 100], [3, 15, 30]],
    [1, [10, 50, 100], [1]],
    [5, [10, 50], [1, 3, 5]], // always ends at the full weight
    [0, [10, 50, 100], [0]], // recorded at 0: it stays out, as it was
  ])('weight %i through %o → %o', (base, percents, levels) => {
    expect(rampLevels(base, percents)).toEqual(levels);
  });
});
