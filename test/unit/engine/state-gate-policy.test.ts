import { describe, expect, it } from 'vitest';
import { judgeStateGate } from '#src/engine/policy/state-gate.js';

const check = {
  kind: 'command' as const,
  host: { kind: 'local' as const },
  command: 'kafka-topics.sh --describe --under-replicated-partitions',
  exitCode: 0,
  outputMatches: '^\\s*$',
  timeoutSeconds: 30,
};

describe('judgeStateGate', () => {
  it('passes the named exit code with matching output', () => {
    expect(judgeStateGate(check, { status: 'success', exitCode: 0, output: '\n' }).passed).toBe(
      true,
    );
  });

  it('blocks another exit code, output that does not match, and a command that did not finish', () => {
    expect(judgeStateGate(check, { status: 'failed', exitCode: 1, output: '' })).toEqual({
      passed: false,
      detail: 'expected exit 0, got failed, exit 1',
    });
    expect(
      judgeStateGate(check, { status: 'success', exitCode: 0, output: 'orders 3 Leader: 1\n' }),
    ).toEqual({
      passed: false,
      detail: 'exit 0, but the output does not match /^\\s*$/: success, exit 0: orders 3 Leader: 1',
    });
    // A timeout that reports a code is still no answer.
    expect(judgeStateGate(check, { status: 'timeout', exitCode: 0, output: '' }).passed).toBe(
      false,
    );
    expect(judgeStateGate(check, { status: 'error', exitCode: null, output: '' }).passed).toBe(
      false,
    );
  });

  it('passes a non-zero exit code when that is the one named', () => {
    const { outputMatches: _none, ...bare } = check;
    expect(
      judgeStateGate({ ...bare, exitCode: 3 }, { status: 'failed', exitCode: 3, output: '' })
        .passed,
    ).toBe(true);
  });
});
