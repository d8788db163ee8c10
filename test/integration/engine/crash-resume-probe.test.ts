/**
 * Crash, then `drainctl resume` (test/support/crash-resume.ts), with the access-log probe and
 * health checks straight to the servers: a crash during the wait for the drain and one during
 * the ramp each resume to the end state of an uninterrupted run. Apart from crash-resume.test.ts
 * so the two run in parallel.
 */
import { describe, expect, it } from 'vitest';
import { crashThenResume } from '#support/crash-resume.js';
import {
  drainctl,
  type EndState,
  endState,
  journal,
  latestRunId,
  startRunEnv,
} from '#support/rollout-on-emulator.js';
import { ALL_BACK, NEW } from '#support/saved-weight-runs.js';

type Entry = Awaited<ReturnType<typeof journal>>[number];

describe('the same with the access-log probe and health checks straight to the servers', () => {
  it('resumes a crash during the wait for the drain and one during the ramp', async () => {
    const env = await startRunEnv({ drainProbe: 'access-log' });
    let entries: Entry[];
    let expected: EndState;
    try {
      const run = await drainctl(env, ['run', env.workflow, '--yes']);
      expect(run.code, run.stderr).toBe(0);
      expected = endState(env);
      // What the run without a probe ends with (crash-resume.test.ts): all back, all patched.
      expect(expected.weights).toEqual(ALL_BACK);
      expect(Object.values(expected.kernels)).toEqual([NEW, NEW, NEW]);
      entries = await journal(env, await latestRunId(env));
    } finally {
      await env.close();
    }
    const node2 = (match: (e: Entry) => boolean) =>
      entries.find((e) => e.node === 'i-emu-web-2' && match(e))?.seq;
    const drained = node2((e) => e.type === 'result' && String(e.step).includes('node.drain'));
    const ramp = node2((e) => e.type === 'intent' && String(e.step).includes('node.restore'));
    expect(
      entries.some((e) => e.type === 'probe' && e.kind === 'drain' && e.outcome === 'drained'),
    ).toBe(true);
    await Promise.all(
      [drained, ramp].map((seq) => crashThenResume(seq ?? 0, expected, 'access-log')),
    );
  }, 300_000);
});
