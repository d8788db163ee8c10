/**
 * The alert gate: a Prometheus query asked before a server leaves service (through the
 * engine's `AlertGateChecker` port, wired in src/app/composition-root.ts) and before a scheduled
 * run starts. I/O at the edge: it may import the workflow's `alertGate` schema, src/ports types,
 * errors and the logger — never the engine, the planner, the app, the CLI or an adapter.
 */
import type { AlertGateChecker } from '../ports/index.js';
import { checkAlertGate } from './check-alert-gate.js';

export {
  type AlertGate,
  alertGateSchema,
  DEFAULT_ALERT_QUERY,
} from '../workflow/schema/alert-gate-schema.js';
export { describeMatches, describeSeries } from './alert-reason.js';
export { type CheckAlertGateOptions, checkAlertGate } from './check-alert-gate.js';

/** The port the engine asks, over the given fetch (default: the global one). */
export function prometheusAlertGate(options: { fetch?: typeof fetch } = {}): AlertGateChecker {
  return {
    check: (query, signal) =>
      checkAlertGate(query, {
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        ...(signal === undefined ? {} : { signal }),
      }),
  };
}
