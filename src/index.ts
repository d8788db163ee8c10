/**
 * drainctl's programmatic API, for people who script their maintenance in TypeScript: the
 * application core's use cases (src/app, library.ts), which the CLI calls too, re-exported with
 * the contract types. `plan` observes and plans (changes nothing), `run` executes a plan under
 * the balancer's lock with its journal, `resume` continues an interrupted run, `status` reads
 * one, `abort` asks a running one to stop. Results are typed; failures are `DrainctlError`s with
 * a stable `code`. Nothing but re-exports here; must not import src/cli.
 *
 * @example
 *   import { plan, run } from 'drainctl';
 *   const p = await plan('workflows/kernel-patch.yaml');
 *   if (p.steps.length > 0) {
 *     const result = await run(p, { signal: AbortSignal.timeout(3_600_000) });
 *     if (result.outcome !== 'completed') console.error(result.report.leftOut);
 *   }
 */
export {
  type ApiOptions,
  abort,
  type PlanApiOptions,
  plan,
  type RunApiOptions,
  resume,
  run,
  status,
} from './app/library.js';
export type {
  AbortResult,
  EnginePorts,
  JournalEntry,
  NodeReport,
  RunOutcome,
  RunReport,
  RunResult,
  RunStatus,
} from './engine/index.js';
export * from './errors/index.js';
export type * from './plan/types.js';
export type * from './ports/index.js';
