/**
 * The workflow: what a workflow file may say (schema/, checks/, traffic-filter/), and turning its
 * text into a validated `WorkflowSpec` (defaults applied, `${VAR}` interpolated, cross-field
 * rules checked) or one InvalidInputError listing every problem with its path (exit 3).
 *
 * Pure: no I/O (src/app reads the file), no process, no clock, no network (lint-enforced). Must
 * not import (lint-enforced): any node:* module, the planner, the engine, adapters, probes,
 * src/app, src/cli, the demo, config, the logger, or a package but zod and yaml.
 */

export { notifySecretIssues } from './checks/access-checks.js';
export { decodeWorkflowBytes } from './decode-workflow-bytes.js';
export { parseDrainBlock } from './drain-block.js';
export { type Environment, type Interpolation, interpolateDocument } from './interpolate.js';
export {
  describeIssue,
  formatPath,
  invalidWorkflowError,
  type PathSegment,
  placeIssues,
  type RawIssue,
  type SpecIssue,
} from './issue.js';
export { jsonSchemaText, workflowJsonSchema, workflowJsonSchemaText } from './json-schema.js';
export {
  type LoadedAnyWorkflow,
  type LoadedWorkflow,
  parseAnyWorkflow,
  parseWorkflow,
  type WorkflowText,
} from './parse-workflow.js';
export { expandTemplate, TEMPLATE_PLACEHOLDERS } from './path-template.js';
export type { AccessSpec, SshSettingsSpec } from './schema/access-schema.js';
export type { BackendsSpec } from './schema/backends-schema.js';
export type { DnsSpec } from './schema/dns-schema.js';
export type { DrainSpec, TrafficFilterSpec } from './schema/drain-schema.js';
export type { GatesSpec, StatefulGateSpec } from './schema/gates-schema.js';
export type { HealthCheckEntrySpec, HealthSpec } from './schema/health-schema.js';
export type { HookSpec, HooksSpec } from './schema/hooks-schema.js';
export type {
  InventorySpec,
  RedisClusterInventorySpec,
  RedisInventorySpec,
  RedisSentinelInventorySpec,
} from './schema/inventory-schema.js';
export {
  type ListenerSpec,
  type LoadBalancerSpec,
  listenerCheckType,
} from './schema/load-balancer-schema.js';
export type { MemberSpec, RedisMemberSpec } from './schema/member-schema.js';
export {
  NOTIFY_EVENTS,
  type NotifyChannelSpec,
  type NotifyEventName,
  type NotifySpec,
  notifyChannelSchema,
  notifySchema,
} from './schema/notify-schema.js';
export type {
  NginxHotUpgradeSpec,
  PatchSpec,
  RollbackSpec,
  WindowsUpdateSpec,
} from './schema/patch-schema.js';
export type { RestoreSpec } from './schema/restore-schema.js';
export type { RolloutSpec } from './schema/rollout-schema.js';
export type {
  BalancerHostSpec,
  HaproxyBalancerSpec,
  KeepalivedBalancerSpec,
  KeepalivedNodeSpec,
  NginxBalancerSpec,
} from './schema/self-run-balancer-schema.js';
export {
  type AnyWorkflowSpec,
  type FleetWorkflowSpec,
  isFleetWorkflow,
  type WorkflowDocument,
  type WorkflowSpec,
} from './schema/workflow-schema.js';
export { parseYamlText, yamlData } from './yaml-document.js';
export { expectedPhrase, fromZodIssues } from './zod-issues.js';
