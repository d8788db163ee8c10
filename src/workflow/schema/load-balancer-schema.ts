/**
 * `loadBalancer`: the Classic Load Balancer the rollout works on — an existing one by `id`, or
 * one this workflow creates (found again by name and tags on a re-run, never created twice) —
 * and the listeners it must have.
 */
import { z } from 'zod';
import { httpStatusList, port, seconds, tags, urlPath } from './common-schema.js';
import {
  haproxyBalancerSchema,
  keepalivedBalancerSchema,
  nginxBalancerSchema,
} from './self-run-balancer-schema.js';

const HTTP_CODES = ['http_2xx', 'http_3xx', 'http_4xx', 'http_5xx'] as const;

export const listenerHealthCheckSchema = z
  .strictObject({
    enabled: z.boolean().default(true).meta({ description: 'Health checks on (default) or off.' }),
    type: z.enum(['tcp', 'http'], { error: 'tcp or http' }).optional().meta({
      description:
        'How the balancer checks a backend: a TCP handshake or an HTTP request. Default: http when `uri` is set or the listener is http, else tcp.',
    }),
    uri: urlPath.optional().meta({
      description:
        'Path of an HTTP health check, e.g. /healthz; required for an HTTP check (SLB refuses / alone).',
    }),
    domain: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Host header of an HTTP health check (default: none).' }),
    method: z.enum(['head', 'get'], { error: 'head or get' }).default('head').meta({
      description:
        "HTTP method of the health check (http listeners; a tcp listener's HTTP check uses SLB's own).",
    }),
    httpCodes: z
      .array(z.enum(HTTP_CODES, { error: `one of ${HTTP_CODES.join(', ')}` }))
      .min(1)
      .default(['http_2xx', 'http_3xx'])
      .meta({ description: 'Status classes that count as healthy.' }),
    connectPort: port('Port the check connects to (default: the backend port).').optional(),
    intervalSeconds: seconds('Seconds between checks (1–50).', { max: 50 }).default(2),
    timeoutSeconds: seconds('Seconds a check may take (1–300).', { max: 300 }).default(5),
    healthyThreshold: z
      .int({ error: 'a whole number from 2 to 10' })
      .min(2, { error: 'a whole number from 2 to 10' })
      .max(10, { error: 'a whole number from 2 to 10' })
      .default(3)
      .meta({ description: 'Successes in a row before a backend is healthy (2–10).' }),
    unhealthyThreshold: z
      .int({ error: 'a whole number from 2 to 10' })
      .min(2, { error: 'a whole number from 2 to 10' })
      .max(10, { error: 'a whole number from 2 to 10' })
      .default(3)
      .meta({ description: 'Failures in a row before a backend is unhealthy (2–10).' }),
  })
  .meta({ description: "The balancer's own health check of each backend." });

export const listenerSchema = z
  .strictObject({
    protocol: z
      .enum(['tcp', 'http'], { error: 'tcp or http' })
      .meta({ description: 'tcp (layer 4: clients seen directly) or http (layer 7).' }),
    port: port('Port the balancer listens on (frontend).'),
    backendPort: port('Port of the service on each backend.'),
    scheduler: z
      .enum(['wrr', 'rr', 'sch', 'tch'], { error: 'one of wrr, rr, sch, tch' })
      .default('wrr')
      .meta({
        description:
          'How requests are spread: wrr (weighted round robin, default) or rr; tcp listeners also sch or tch (consistent hashing).',
      }),
    bandwidth: z
      .int({ error: 'a whole number of Mbit/s, or -1 for unlimited' })
      .min(-1)
      .default(-1)
      .meta({ description: 'Mbit/s; -1 is unlimited.' }),
    healthCheck: listenerHealthCheckSchema.default({
      enabled: true,
      method: 'head',
      httpCodes: ['http_2xx', 'http_3xx'],
      intervalSeconds: 2,
      timeoutSeconds: 5,
      healthyThreshold: 3,
      unhealthyThreshold: 3,
    }),
    connectionDrain: z
      .strictObject({
        enabled: z.boolean(),
        timeoutSeconds: seconds('Seconds open connections may finish (10–900).', {
          min: 10,
          max: 900,
        }).optional(),
      })
      .optional()
      .meta({ description: 'TCP only: let open connections finish when a backend leaves.' }),
    xForwardedFor: z
      .boolean()
      .optional()
      .meta({ description: 'HTTP only: add X-Forwarded-For (default true for http).' }),
  })
  .meta({ description: 'A listener the balancer must have; created (stopped) and started.' });

export const createLoadBalancerSchema = z
  .strictObject({
    name: z
      .string({ error: 'a balancer name' })
      .regex(/^[A-Za-z\u4e00-\u9fa5][\w.\-\u4e00-\u9fa5]{0,79}$/, {
        error:
          'a balancer name of 1 to 80 letters, digits, ".", "_" or "-", starting with a letter',
      })
      .meta({ description: 'Name; with the tags it finds the balancer again on a re-run.' }),
    addressType: z
      .enum(['internet', 'intranet'], { error: 'internet or intranet' })
      .default('intranet')
      .meta({ description: 'internet (public address) or intranet (VPC address, default).' }),
    spec: z
      .string()
      .regex(/^slb\.[a-z0-9.]+$/, { error: 'an SLB spec like slb.s1.small' })
      .optional()
      .meta({ description: 'Instance spec, e.g. slb.s1.small (default: the account default).' }),
    vpcId: z.string().min(1).optional().meta({ description: 'VPC of an intranet balancer.' }),
    vSwitchId: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'vSwitch of an intranet balancer.' }),
    masterZoneId: z.string().min(1).optional().meta({ description: 'Primary zone.' }),
    slaveZoneId: z.string().min(1).optional().meta({ description: 'Standby zone.' }),
    bandwidth: z.int().min(1).optional().meta({ description: 'Mbit/s (pay by bandwidth).' }),
    internetChargeType: z
      .enum(['paybytraffic', 'paybybandwidth'], { error: 'paybytraffic or paybybandwidth' })
      .optional(),
    deleteProtection: z
      .boolean()
      .optional()
      .meta({ description: 'Protect the balancer from deletion (recommended for production).' }),
    tags: tags(
      'Tags put on the balancer and used to find it again. drainctl adds managed-by: drainctl.',
    ).default({}),
  })
  .meta({ description: 'Create this balancer unless one with this name and tags exists.' });

export const verifyPathSchema = z
  .strictObject({
    path: urlPath.optional().meta({
      description:
        "Path requested through the balancer (default: the listener's health check URI, else /).",
    }),
    hostHeader: z.string().min(1).optional().meta({ description: 'Host header to send.' }),
    expectStatus: httpStatusList('Status codes that prove the path works.').default([200]),
    timeoutSeconds: seconds('How long the path may take to start working.').default(120),
  })
  .meta({
    description:
      'Before DNS moves: request the service through the balancer (like curl --resolve) and check the balancer sees every backend healthy.',
  });

export const loadBalancerSchema = z
  .strictObject({
    kind: z
      .enum(['slb', 'nginx', 'haproxy', 'keepalived'], {
        error: 'slb, nginx, haproxy or keepalived',
      })
      .optional()
      .meta({
        description:
          'slb (default): an Alibaba Cloud Classic Load Balancer; nginx: an upstream of nginx you run (see nginx); haproxy: a backend of HAProxy you run (see haproxy); keepalived: a VRRP active/standby pair whose VIP moves between the two servers (see keepalived).',
      }),
    nginx: nginxBalancerSchema.optional(),
    haproxy: haproxyBalancerSchema.optional(),
    keepalived: keepalivedBalancerSchema.optional(),
    id: z
      .string({ error: 'a load balancer id like lb-bp1abc' })
      .regex(/^lb-[A-Za-z0-9][A-Za-z0-9-]*$/, { error: 'a load balancer id like lb-bp1abc' })
      .optional()
      .meta({ description: 'An existing balancer. Give either id or create.' }),
    create: createLoadBalancerSchema.optional(),
    listeners: z.array(listenerSchema, { error: 'a list of listeners' }).default([]).meta({
      description:
        'Listeners the balancer must have. Missing ones are created and started; an existing one with another configuration is an error, never changed silently.',
    }),
    verify: verifyPathSchema.optional(),
  })
  .meta({ description: 'The load balancer: an existing one (id) or one to create (create).' });

export type LoadBalancerSpec = z.output<typeof loadBalancerSchema>;
export type ListenerSpec = z.output<typeof listenerSchema>;

/** A listener's check type when the workflow leaves it out: http with a uri or on an http listener. */
export function listenerCheckType(listener: Pick<ListenerSpec, 'protocol' | 'healthCheck'>) {
  const check = listener.healthCheck;
  return check.type ?? (check.uri !== undefined || listener.protocol === 'http' ? 'http' : 'tcp');
}
