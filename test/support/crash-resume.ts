/**
 * One crash of the crash-resume tests: a 3-node rollout against the emulator, the real binary
 * killed with SIGKILL right after journal entry `seq` (DRAINCTL_TEST_CRASH_AT_SEQ, test-only),
 * then `drainctl resume` by a second process, which must reach `expected` (an uninterrupted
 * run's end state) with no node left out and the journal `done`.
 */
import { expect } from 'vitest';
import {
  drainctl,
  type EndState,
  endState,
  journal,
  latestRunId,
  startRunEnv,
} from './rollout-on-emulator.js';

export async function crashThenResume(
  seq: number,
  expected: EndState,
  drainProbe: 'none' | 'access-log' = 'none',
): Promise<void> {
  const env = await startRunEnv({ drainProbe });
  try {
    const crashed = await drainctl(env, ['run', env.workflow, '--yes', '--json'], {
      DRAINCTL_TEST_CRASH_AT_SEQ: String(seq),
    });
    expect({
      seq,
      signal: crashed.signal,
      stderr: crashed.signal ? '' : crashed.stderr.slice(-2000),
    }).toEqual({
      seq,
      signal: 'SIGKILL',
      stderr: '',
    });
    const runId = await latestRunId(env);
    expect((await journal(env, runId)).at(-1)?.seq).toBe(seq);

    const resumed = await drainctl(env, ['resume', runId, '--yes', '--json']);
    expect({ seq, code: resumed.code, stderr: resumed.code === 0 ? '' : resumed.stderr }).toEqual({
      seq,
      code: 0,
      stderr: '',
    });
    const report = JSON.parse(resumed.stdout);
    expect({ seq, outcome: report.outcome, leftOut: report.report.leftOut }).toEqual({
      seq,
      outcome: 'completed',
      leftOut: [],
    });
    expect({ seq, ...endState(env) }).toEqual({ seq, ...expected });
    const entries = await journal(env, runId);
    expect(entries.at(-1)).toMatchObject({ type: 'done', outcome: 'completed' });
    expect(entries.filter((e) => e.type === 'resume')).toHaveLength(1);
  } finally {
    await env.close();
  }
}
