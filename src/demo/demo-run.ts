/**
 * How the demo starts its run. The demo's home (`<DRAINCTL_HOME>/demo`) holds nothing but the
 * demo's own throwaway world, rebuilt every time: an earlier demo's unfinished run or the lock a
 * killed demo left behind (dead pid) must not block the next `npm start`, which has no
 * `--new-run` or `--break-lock` to offer. A lock a live demo holds is still refused.
 */
import { type RunResult, type StartOptions, startRun } from '../engine/index.js';
import { DrainctlError } from '../errors/index.js';
import type { Plan } from '../plan/types.js';

/** `startRun` as the demo needs it: a new run, a stale lock taken over, hints for its home. */
export async function startDemoRun(
  plan: Plan,
  options: Omit<StartOptions, 'newRun' | 'breakStaleLock'>,
): Promise<RunResult> {
  try {
    return await startRun(plan, { ...options, newRun: true, breakStaleLock: true });
  } catch (error) {
    throw inDemoHome(error, options.home);
  }
}

/**
 * The engine's hints name `drainctl status|abort|resume <id>`, which look in the default
 * DRAINCTL_HOME; the demo's runs live in its own, so the hint says which.
 */
export function inDemoHome(error: unknown, home: string): unknown {
  if (!(error instanceof DrainctlError) || error.hint === undefined) return error;
  const hint = error.hint.replaceAll('`drainctl ', `\`DRAINCTL_HOME=${home} drainctl `);
  if (hint === error.hint) return error;
  return new DrainctlError(error.code, error.message, {
    hint,
    cause: error,
    retryable: error.retryable,
    exitCode: error.exitCode,
  });
}
