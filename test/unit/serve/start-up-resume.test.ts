import { describe, expect, it } from 'vitest';
import type { RunStatus } from '#src/app/index.js';
import { startUpResume } from '#src/serve/scheduler/start-up-resume.js';

/** A run's status as read at its turn: whether a process holds it, and how it ended. */
function status(running: boolean, outcome?: RunStatus['state']['outcome']) {
  return { running, state: { outcome } as RunStatus['state'] };
}

describe('resuming a schedule’s unfinished run when the server starts', () => {
  it('resumes a run no process finished (a crash), when its schedule says so', () => {
    expect(startUpResume(status(false), true)).toEqual({ resume: true });
  });

  it('leaves it to an operator when the schedule does not say so', () => {
    expect(startUpResume(status(false), false)).toMatchObject({ resume: false });
    expect(startUpResume(status(false), undefined)).toMatchObject({ resume: false });
  });

  it('never resumes a run that ended since (halted by an abort, failed, completed)', () => {
    for (const outcome of ['halted', 'failed', 'completed'] as const) {
      const verdict = startUpResume(status(false, outcome), true);
      expect(verdict, outcome).toMatchObject({ resume: false });
      expect(verdict.resume === false && verdict.why, outcome).toContain(`ended ${outcome}`);
    }
  });

  it('never resumes a run another process executes now (taken over meanwhile)', () => {
    expect(startUpResume(status(true), true)).toEqual({
      resume: false,
      why: 'another process executes it now',
    });
  });
});
