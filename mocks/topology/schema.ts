/**
 * mocks/topology — the starting state of an emulated cloud and its validation. Pure data; no
 * sockets, no world. Never imports src/.
 *
 * The topology: what exists in the emulated cloud when it starts (and after a reset). Written as
 * YAML (`--topology file.yaml`, format in docs/emulator.md) or given to startEmulator as an object;
 * every field but instance ids has a default.
 */
import { z } from 'zod';
import { INSTANCES_PER_BLOCK, instanceCapacity, MAX_INSTANCES } from './address-capacity.js';
import type { BalancerTopology } from './generated-fleet.js';
import { windowsSchema } from './windows-schema.js';

export const DEFAULT_KERNEL = '3.10.0-1160.el7.x86_64';
export const DEFAULT_UPDATE_KERNEL = '3.10.0-1160.119.1.el7.x86_64';
export const DEFAULT_OS_NAME = 'CentOS 7.9 64 bit';

/** Edition → minimum TTL (docs/aliyun.md, "Alidns"). */
export const DNS_EDITIONS = {
  free: { versionCode: 'mianfei', versionName: 'Alibaba Cloud DNS Free Edition', minTtl: 600 },
  personal: { versionCode: 'version_personal', versionName: 'Personal Edition', minTtl: 600 },
  enterprise: {
    versionCode: 'version_enterprise_basic',
    versionName: 'Enterprise Standard Edition',
    minTtl: 60,
  },
  ultimate: {
    versionCode: 'version_enterprise_advanced',
    versionName: 'Enterprise Ultimate Edition',
    minTtl: 1,
  },
} as const;
export type DnsEdition = keyof typeof DNS_EDITIONS;

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - only');

export const instanceSchema = z
  .object({
    id: id.regex(/^i-/, 'ECS instance ids start with "i-"'),
    name: z.string().min(1).optional(),
    hostname: z.string().min(1).optional(),
    kernel: z.string().min(1).default(DEFAULT_KERNEL),
    availableKernel: z.string().min(1).default(DEFAULT_UPDATE_KERNEL),
    osName: z.string().min(1).default(DEFAULT_OS_NAME),
    instanceType: z.string().min(1).default('ecs.g6.large'),
    zone: z.string().min(1).optional(),
    tags: z.record(z.string(), z.string()).default({}),
    /** Present: a Windows instance (OSType windows, PowerShell through Cloud Assistant). */
    windows: windowsSchema.optional(),
  })
  .strict();

const recordSchema = z
  .object({
    rr: z.string().min(1),
    type: z.enum(['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS']).default('A'),
    /** Literal value, or… */
    value: z.string().min(1).optional(),
    /** …the private IP of this instance (addresses are chosen at start). */
    instance: z.string().min(1).optional(),
    ttl: z.number().int().min(1).max(86400).default(600),
    line: z.string().default('default'),
    /** The record's RecordId (a numeric string); default: assigned in order from 1000001. */
    recordId: z.string().regex(/^\d+$/, 'a numeric string').optional(),
  })
  .strict()
  .refine((record) => (record.value === undefined) !== (record.instance === undefined), {
    message: 'give exactly one of value or instance',
  });

const domainSchema = z
  .object({
    name: z
      .string()
      .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'a domain name in lower case, e.g. example.com'),
    edition: z.enum(['free', 'personal', 'enterprise', 'ultimate']).default('ultimate'),
    records: z.array(recordSchema).default([]),
  })
  .strict();

const balancerSchema = z
  .object({
    id: id.regex(/^lb-/, 'SLB instance ids start with "lb-"'),
    name: z.string().min(1).optional(),
    addressType: z.enum(['internet', 'intranet']).default('intranet'),
    tags: z.record(z.string(), z.string()).default({}),
    /** The default server group. */
    backends: z
      .array(
        z
          .object({ serverId: z.string().min(1), weight: z.number().int().min(0).max(100) })
          .strict(),
      )
      .default([]),
    vServerGroups: z
      .array(
        z
          .object({
            id: id.regex(/^rsp-/, 'vServer group ids start with "rsp-"'),
            name: z.string().min(1).optional(),
            servers: z
              .array(
                z
                  .object({
                    serverId: z.string().min(1),
                    port: z.number().int().min(1).max(65535),
                    weight: z.number().int().min(0).max(100),
                  })
                  .strict(),
              )
              .default([]),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export const topologySchema = z
  .object({
    region: z.string().min(1).default('cn-hangzhou'),
    zone: z.string().min(1).optional(),
    /**
     * A /24 inside 127.0.0.0/8 (not 127.0.0.0/24), or a /16 (not 127.0.0.0/16) for more than 89
     * instances; random when absent.
     */
    subnet: z
      .string()
      .regex(
        /^127\.\d{1,3}\.(\d{1,3}\.0\/24|0\.0\/16)$/,
        'a /24 or /16 inside 127.0.0.0/8, e.g. 127.77.1.0/24 or 127.77.0.0/16',
      )
      .refine(
        (value) => !value.startsWith('127.0.0.') && value !== '127.0.0.0/16',
        '127.0.0.0/24 is reserved for localhost',
      )
      .refine(
        (value) =>
          value
            .split('.')
            .slice(1, 3)
            .every((octet) => Number(octet) <= 255),
        'each octet must be 0–255',
      )
      .optional(),
    appPort: z.number().int().min(1).max(65535).default(8080),
    /** The world's pace (seconds; see docs/emulator.md, Timings); options of startEmulator win. */
    timings: z
      .object({
        stoppingSeconds: z.number().nonnegative(),
        bootSeconds: z.number().nonnegative(),
        appStartSeconds: z.number().nonnegative(),
        keepaliveRequests: z.number().int().positive(),
        keepaliveTimeoutSeconds: z.number().nonnegative(),
        packageUpdateSeconds: z.number().nonnegative(),
        healthCheckScale: z.number().positive(),
      })
      .partial()
      .strict()
      .default({}),
    accessLogFormat: z.enum(['combined', 'combined_request_time']).default('combined'),
    /** Listed instances; with `fleet` the generated ones follow them. */
    instances: z.array(instanceSchema).max(MAX_INSTANCES).default([]),
    /**
     * A generated fleet: balancers created at start with random attachments (generated-fleet.ts).
     */
    fleet: z
      .object({
        balancers: z.number().int().min(1).max(100),
        instances: z.number().int().min(1).max(MAX_INSTANCES),
        seed: z.number().int().nonnegative(),
        maxAttachments: z.number().int().min(1).max(3).default(3),
      })
      .strict()
      .optional(),
    domains: z.array(domainSchema).default([]),
    /**
     * Balancers that exist at start, with their ids and attachments (a mirror of an account, as
     * `drainctl rehearse` builds); no listeners (add them through the API).
     */
    balancers: z.array(balancerSchema).max(100).default([]),
  })
  .strict()
  .refine((topology) => topology.instances.length > 0 || topology.fleet !== undefined, {
    message: 'give instances, or a fleet to generate',
    path: ['instances'],
  })
  .refine(
    (topology) => topology.instances.length + (topology.fleet?.instances ?? 0) <= MAX_INSTANCES,
    {
      message: `at most ${MAX_INSTANCES} instances in all, listed and generated`,
      path: ['fleet', 'instances'],
    },
  )
  .refine(
    (topology) =>
      topology.subnet === undefined ||
      topology.instances.length + (topology.fleet?.instances ?? 0) <=
        instanceCapacity(topology.subnet),
    {
      message: `at most ${INSTANCES_PER_BLOCK} instances in a /24 subnet (.11 to .99), listed and generated: use a /16`,
      path: ['subnet'],
    },
  );

export type TopologyInput = z.input<typeof topologySchema>;
type Parsed = z.output<typeof topologySchema>;

export interface InstanceTopology
  extends Omit<Parsed['instances'][number], 'name' | 'hostname' | 'zone'> {
  name: string;
  hostname: string;
  zone: string;
}

export interface Topology extends Omit<Parsed, 'instances' | 'zone' | 'balancers'> {
  zone: string;
  instances: InstanceTopology[];
  /** Balancers that exist at start (and after a reset): listed ones, then a generated fleet's. */
  balancers: BalancerTopology[];
}
