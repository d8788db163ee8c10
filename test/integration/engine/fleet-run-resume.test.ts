/**
 * A fleet run (test/support/fleet-run-env.ts) killed between two attachments' weight changes:
 * `resume` reaches the same end state as the run that was not interrupted.
 */
import { describe, expect, it } from 'vitest';
import {
  BEFORE,
  drainctl,
  fleetEnvPerTest,
  savedTags,
  WEB1,
  web1Drain,
  weights,
} from '#support/fleet-run-env.js';
import { journal, latestRunId } from '#support/rollout-on-emulator.js';

describe('drainctl resume of a fleet workflow', () => {
  const fleetEnv = fleetEnvPerTest();

  it('killed between two attachments’ weight changes, resume reaches the same end state', async () => {
    const env = await fleetEnv();
    // The uninterrupted run's journal says where web-1's first group result is written.
    const reference = await fleetEnv();
    const full = await drainctl(reference, ['run', reference.workflow, '--yes']);
    expect(full.code, full.stderr).toBe(0);
    const firstResult = web1Drain(await journal(reference, await latestRunId(reference))).find(
      (e) => e.type === 'result',
    );
    const crashed = await drainctl(env, ['run', env.workflow, '--yes'], {
      DRAINCTL_TEST_CRASH_AT_SEQ: String(firstResult?.seq),
    });
    expect(crashed.signal).toBe('SIGKILL');
    const runId = await latestRunId(env);
    // One group changed, the other two intents open: the server is half drained.
    const halfway = web1Drain(await journal(env, runId));
    expect(halfway.map((e) => e.type)).toEqual(['intent', 'intent', 'intent', 'result']);
    expect(Object.values(await weights(env)).filter((w) => w === 0)).toHaveLength(1);
    // Each balancer keeps the weight of its default group for web-1 while it is out.
    expect(await savedTags(env)).toEqual({
      [`edge drainctl-weight-${WEB1}`]: '80',
      [`core drainctl-weight-${WEB1}`]: '50',
    });

    const resumed = await drainctl(env, ['resume', runId, '--yes']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // Its workflow reads back as the run's (for its notify block): nothing to warn about.
    expect(resumed.stderr).not.toContain('not readable as the run');
    expect(await weights(env)).toEqual(BEFORE);
    expect(await savedTags(env)).toEqual({});
    const entries = await journal(env, runId);
    const reconciled = entries.filter((e) => e.type === 'result' && e.reconciled === true);
    expect(reconciled.map((e) => e.applied)).toEqual([false, false]);
  }, 240_000);
});
