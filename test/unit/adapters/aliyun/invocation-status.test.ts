import { describe, expect, it } from 'vitest';
import { commandResultOf } from '#src/adapters/aliyun/ecs/invocation-status.js';

// docs/aliyun.md, "Cloud Assistant and ECS": every status an invocation can end in.
describe('Cloud Assistant statuses that end an invocation', () => {
  it.each([
    ['Success', 'success'],
    ['Failed', 'failed'],
    ['PartialFailed', 'failed'],
    ['Error', 'error'],
    ['Invalid', 'error'],
    ['Timeout', 'timeout'],
    ['Cancelled', 'cancelled'],
    ['Terminated', 'cancelled'],
    ['Aborted', 'cancelled'],
    ['Stopped', 'cancelled'],
  ])('%s ends the wait as %s', (invocationStatus, status) => {
    const result = commandResultOf({ invocationStatus, invokeRecordStatus: 'Running' }, 't-1');
    expect(result?.status).toBe(status);
    expect(result?.invocationId).toBe('t-1');
  });

  it.each(['Pending', 'Scheduled', 'Running', 'Stopping'])('%s keeps waiting', (status) => {
    expect(
      commandResultOf({ invocationStatus: status, invokeRecordStatus: 'Running' }, 't'),
    ).toBeUndefined();
  });

  it('ends on a status it does not know, saying which, rather than waiting out the timeout', () => {
    expect(commandResultOf({ invocationStatus: 'Quarantined' }, 't')).toMatchObject({
      status: 'error',
      exitCode: null,
      errorInfo: 'Cloud Assistant reported status Quarantined',
    });
  });

  it.each([
    ['Failed', 'error'],
    ['Stopped', 'cancelled'],
    ['PartialFinished', 'failed'],
    ['Finished', 'error'],
  ])('ends on the legacy record status %s alone (as %s)', (invokeRecordStatus, status) => {
    expect(commandResultOf({ invokeRecordStatus }, 't')?.status).toBe(status);
  });
});
