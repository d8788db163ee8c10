/**
 * Probes: knowing that real traffic has left a node (access-log tailer — local file or SSH
 * `tail -F` — with its parsers and health-check filters, and the connection count) and that a
 * node serves (health checks). Reads only: a probe never changes anything on a host or in the
 * cloud. Time comes from the injected Clock; hosts and balancers through their ports.
 * See docs/probes.md. Must not import (lint-enforced): adapters other than ssh/, the engine,
 * the planner, src/app, src/cli, the demo or the emulator.
 */
export {
  type AccessLogProbe,
  type AccessLogProbeOptions,
  openAccessLogProbe,
} from './access-log/access-log-probe.js';
export type { AccessLogProgress } from './access-log/drain-wait.js';
export {
  checkLogFormat,
  createLineParser,
  logFormatFromText,
  logFormatGivesRequestTime,
} from './access-log/line-parser.js';
export type { RequestSample } from './access-log/line-pipeline.js';
export type { FollowerEvent } from './access-log/log-follower.js';
export { COMBINED_LOG_FORMAT, parseLogFormat } from './access-log/log-format.js';
export { openSshFollower } from './access-log/ssh-follower.js';
export {
  type ConnectionProbeOptions,
  createConnectionProbe,
} from './connections/connection-probe.js';
export { DrainTimeline, formatProgressLine, type TimelineEntry } from './drain-timeline.js';
export { createHealthChecker, type HealthCheckerDeps } from './health/index.js';
export { CidrSet, SLB_HEALTH_CHECK_CIDR } from './net/cidr-set.js';
export { createTrafficProbeFactory, type TrafficProbeDeps } from './traffic-probe-factory.js';
