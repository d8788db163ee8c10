/**
 * The verdict on one backend from consecutive check results. The first result decides at once
 * (until then the backend is `unavailable`, as DescribeHealthStatus says of servers not yet
 * checked); afterwards it takes `unhealthyThreshold` failures in a row to become abnormal and
 * `healthyThreshold` successes in a row to become normal again. Pure.
 */
import type { BackendHealthState } from '../types.js';

export interface HealthVerdict {
  state: BackendHealthState;
  successes: number;
  failures: number;
}

export const notYetChecked: HealthVerdict = { state: 'unavailable', successes: 0, failures: 0 };

export function nextVerdict(
  verdict: HealthVerdict,
  passed: boolean,
  thresholds: { healthyThreshold: number; unhealthyThreshold: number },
): HealthVerdict {
  const successes = passed ? verdict.successes + 1 : 0;
  const failures = passed ? 0 : verdict.failures + 1;
  if (verdict.state === 'unavailable') {
    return { state: passed ? 'normal' : 'abnormal', successes, failures };
  }
  if (verdict.state === 'normal' && failures >= Math.max(1, thresholds.unhealthyThreshold)) {
    return { state: 'abnormal', successes, failures };
  }
  if (verdict.state === 'abnormal' && successes >= Math.max(1, thresholds.healthyThreshold)) {
    return { state: 'normal', successes, failures };
  }
  return { state: verdict.state, successes, failures };
}
