/**
 * The root of a workflow file. Every object is strict: an unknown key is an error, so a typo
 * (`maxUnavailabel`) never silently falls back to a default at 3 am.
 */
import { z } from 'zod';
import { accessSchema } from './access-schema.js';
import { alertGateSchema } from './alert-gate-schema.js';
import { backendsSchema } from './backends-schema.js';
import { dnsSchema } from './dns-schema.js';
import { drainSchema } from './drain-schema.js';
import { gatesSchema } from './gates-schema.js';
import { healthSchema } from './health-schema.js';
import { hooksSchema } from './hooks-schema.js';
import { inventorySchema } from './inventory-schema.js';
import { loadBalancerSchema } from './load-balancer-schema.js';
import { memberSchema } from './member-schema.js';
import { notifySchema } from './notify-schema.js';
import { patchSchema } from './patch-schema.js';
import { restoreSchema } from './restore-schema.js';
import { rolloutSchema } from './rollout-schema.js';

export const workflowSchema = z
  .strictObject({
    name: z
      .string({ error: 'a workflow name' })
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
        error: 'a workflow name of lower-case letters, digits and dashes (up to 63)',
      })
      .meta({ description: 'Names the workflow in plans, journals and chat.' }),
    description: z.string().optional().meta({ description: 'Free text for people.' }),
    region: z
      .string({ error: 'a region id like cn-hangzhou' })
      .regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, { error: 'a region id like cn-hangzhou' })
      .optional()
      .meta({ description: 'Region id, e.g. cn-hangzhou. Default: ALIBABA_CLOUD_REGION_ID.' }),
    loadBalancer: loadBalancerSchema.optional().meta({
      description:
        'The one balancer of the rollout. Leave it out for a fleet workflow: the servers `backends` selects are drained from every balancer and vServer group they are attached to in the region.',
    }),
    backends: backendsSchema,
    rollout: rolloutSchema.default({
      maxUnavailable: 1,
      minHealthy: 1,
      groups: {},
      order: 'listed',
      stopOnFailure: true,
    }),
    drain: drainSchema,
    patch: patchSchema.default({
      kind: 'commands',
      commands: [],
      timeoutSeconds: 900,
      reboot: true,
      rebootTimeoutSeconds: 600,
      neededWhen: [],
      verify: { command: 'uname -r', expect: 'changed', timeoutSeconds: 60 },
    }),
    access: accessSchema.default({ via: 'ecs', nodes: {} }),
    health: healthSchema.default({
      consecutiveSuccesses: 3,
      intervalSeconds: 2,
      timeoutSeconds: 300,
    }),
    restore: restoreSchema.default({
      rampPercent: [10, 50, 100],
      holdSeconds: 30,
      max5xxRate: 0.01,
      minRequests: 20,
      extendSeconds: 120,
      onInconclusive: 'halt',
    }),
    dns: dnsSchema.optional(),
    hooks: hooksSchema.default({ before: [], after: [] }),
    gates: gatesSchema.default({ before: [], after: [] }),
    inventory: inventorySchema.optional(),
    member: memberSchema.optional(),
    notify: notifySchema.optional(),
    alertGate: alertGateSchema.optional(),
  })
  .meta({
    title: 'drainctl workflow',
    description:
      'Zero-downtime maintenance behind an Alibaba Cloud load balancer: drain, patch, reboot, verify, restore — and optionally build the balancer and move DNS onto it.',
  });

/** A workflow file as validated, with every default applied (region may still be unset). */
export type WorkflowDocument = z.output<typeof workflowSchema>;

/**
 * A validated single-balancer workflow, ready for the planner: defaults applied, region resolved.
 */
export type WorkflowSpec = WorkflowDocument & {
  region: string;
  loadBalancer: NonNullable<WorkflowDocument['loadBalancer']>;
};

/**
 * A validated fleet workflow: no `loadBalancer`; its servers are drained from every balancer and
 * group they are attached to in the region (docs/workflows.md, "Fleet workflows").
 */
export type FleetWorkflowSpec = Omit<WorkflowDocument, 'loadBalancer'> & {
  region: string;
  loadBalancer?: undefined;
};

/** Either kind of workflow, as parsed. */
export type AnyWorkflowSpec = WorkflowSpec | FleetWorkflowSpec;

export function isFleetWorkflow(spec: AnyWorkflowSpec): spec is FleetWorkflowSpec {
  return spec.loadBalancer === undefined;
}
