/**
 * `rehearse` with the cloud API throttling and answering late: the run retries through both and
 * completes, and the report counts what each fault did.
 */
import { describe, expect, it } from 'vitest';
import { rehearsalAccount } from '#support/rehearsal-account.js';

const account = rehearsalAccount();

describe('drainctl rehearse, API faults', () => {
  it('throttle and latency: the run retries through them and completes', async () => {
    const report = await account.rehearse([
      'throttle:SetBackendServers:2',
      'latency:DescribeHealthStatus:50',
    ]);
    expect(report.run.outcome).toBe('completed');
    expect(report.faults.map((fault) => fault.effect)).toEqual([
      expect.stringMatching(
        /^SetBackendServers answered Throttling.User 2 times of \d+ calls, night completed$/,
      ),
      expect.stringMatching(/^\d+ DescribeHealthStatus calls each waited 50 ms, night completed$/),
    ]);
  }, 120_000);
});
