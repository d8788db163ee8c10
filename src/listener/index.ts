/**
 * What makes an existing listener "the same" as the one a workflow wants: one pure comparison
 * that the planner (`drainctl plan`, `inspect`) and the SLB adapter (`ensureListener` at run
 * time) both apply, so a plan that passes is never refused later with LISTENER_CONFIG_DIFFERS.
 * And which listeners judge a backend's health, and when it is healthy: one rule the gates, the
 * planner and `inspect` share.
 *
 * Why a folder of its own: the adapters may not import the planner and the planner may not
 * import the adapters, and src/ports holds types only. This folder sits between: it depends on
 * the port types alone and must stay pure — no I/O, no clock. Must not import (lint-enforced):
 * any node:* module, or any folder of src/ but src/ports.
 */

export {
  describeJudged,
  healthyOnBalancer,
  type JudgedHealth,
  judgedHealth,
  listenerLabel,
} from './judged-health.js';
export {
  formatListenerDifference,
  LISTENER_DEFAULTS,
  type ListenerDifference,
  listenerDifferences,
} from './listener-differences.js';
