/**
 * Whether a schedule's run found unfinished when the server started is resumed by it now. The
 * list was made at start-up and the resumes go one by one: by the time a run's turn comes,
 * another replica may have taken it over, an operator may have aborted or resumed it, or it may
 * have ended. So the decision is made on the run's status read at its turn, never on the list.
 */
import type { RunStatus } from '../../app/index.js';

export type StartUpResume = { resume: true } | { resume: false; why: string };

/**
 * Only a run no process finished (a crash: kill -9, a host that died) is resumed, and only by
 * its own schedule with `resumeUnfinished: true`. A run that ended — halted by an operator's
 * abort, a failed server or the server's own stop, failed, completed — waits for an operator.
 */
export function startUpResume(
  status: Pick<RunStatus, 'running' | 'state'>,
  resumeUnfinished: boolean | undefined,
): StartUpResume {
  if (resumeUnfinished !== true) {
    return { resume: false, why: 'its schedule does not say resumeUnfinished: true' };
  }
  if (status.running) return { resume: false, why: 'another process executes it now' };
  const outcome = status.state.outcome;
  if (outcome !== undefined) {
    return {
      resume: false,
      why: `it ended ${outcome}, not cut short by a crash: an operator resumes it (drainctl resume)`,
    };
  }
  return { resume: true };
}
